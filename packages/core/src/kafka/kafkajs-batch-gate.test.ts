import { describe, expect, it } from 'vitest';
import { BatchGate, type GatedBatch, trimBatch } from './kafkajs-batch-gate.js';

const batch = (first?: number, last?: number): GatedBatch => ({
  topic: 't',
  partition: 0,
  firstOffset: first === undefined ? undefined : String(first),
  lastOffset: last === undefined ? undefined : String(last),
});

describe('BatchGate', () => {
  it('delivers consecutive batches as they are', () => {
    const gate = new BatchGate();
    expect(gate.admit(batch(0, 99))).toEqual({ kind: 'deliver' });
    expect(gate.admit(batch(100, 199))).toEqual({ kind: 'deliver' });
  });

  it('trims a batch that overlaps one already delivered (a fetch from the new leader)', () => {
    const gate = new BatchGate();
    gate.admit(batch(100, 199));
    expect(gate.admit(batch(100, 250))).toEqual({ kind: 'trim', from: 200n });
    expect(gate.admit(batch(150, 250))).toEqual({ kind: 'drop', reason: 'delivered' });
    expect(gate.admit(batch(251, 300))).toEqual({ kind: 'deliver' });
  });

  it('after a seek back, drops a batch fetched from the old position, and takes the re-read', () => {
    const gate = new BatchGate();
    gate.admit(batch(0, 149));
    gate.seek('t', 0, 100n);
    expect(gate.seeking('t', 0)).toBe(true);
    // Fetched from the old position before the seek, delivered after it.
    expect(gate.admit(batch(150, 199))).toEqual({ kind: 'drop', reason: 'before-seek' });
    expect(gate.admit(batch(100, 180))).toEqual({ kind: 'deliver' });
    expect(gate.seeking('t', 0)).toBe(false);
    // The rewind is the new position: records from 181 on are new.
    expect(gate.admit(batch(181, 220))).toEqual({ kind: 'deliver' });
  });

  it('takes a re-read whose first records were transaction markers (it starts after the seek offset)', () => {
    const gate = new BatchGate();
    gate.admit(batch(0, 149));
    gate.seek('t', 0, 100n);
    expect(gate.admit(batch(102, 170))).toEqual({ kind: 'deliver' });
  });

  it('a seek with nothing delivered past it takes the next batch from the seek offset on', () => {
    const gate = new BatchGate();
    gate.admit(batch(0, 99));
    gate.seek('t', 0, 100n);
    expect(gate.admit(batch(101, 120))).toEqual({ kind: 'deliver' });
    const fresh = new BatchGate();
    fresh.seek('t', 0, 40n);
    expect(fresh.admit(batch(30, 60))).toEqual({ kind: 'trim', from: 40n });
  });

  it('forgets positions and seeks on a new generation', () => {
    const gate = new BatchGate();
    gate.admit(batch(0, 99));
    gate.seek('t', 0, 50n);
    gate.reset();
    expect(gate.seeking('t', 0)).toBe(false);
    expect(gate.admit(batch(0, 99))).toEqual({ kind: 'deliver' });
  });

  it('keeps partitions apart', () => {
    const gate = new BatchGate();
    gate.admit(batch(0, 99));
    expect(gate.admit({ ...batch(0, 99), partition: 1 })).toEqual({ kind: 'deliver' });
  });

  it('a trim keeps the messages from the first one at or after the offset on', () => {
    const messages = [5, 6, 7, 9].map((o) => ({ offset: String(o) }));
    expect(trimBatch(messages, 7n).map((m) => m.offset)).toEqual(['7', '9']);
    expect(trimBatch(messages, 8n).map((m) => m.offset)).toEqual(['9']);
    expect(trimBatch(messages, 5n)).toEqual(messages);
    expect(trimBatch(messages, 10n)).toEqual([]);
  });
});
