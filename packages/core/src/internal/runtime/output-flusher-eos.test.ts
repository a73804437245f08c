import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../errors.js';
import type { OutgoingRecord, ProducerPort, TransactionPort } from '../../kafka/ports.js';
import { silentLogger } from '../../logger.js';
import type { ActiveTask } from './active-task.js';
import { OutputFlusher } from './output-flusher.js';

const record = (v: string): OutgoingRecord => ({
  topic: 'out',
  partition: 0,
  key: null,
  value: Buffer.from(v),
  timestamp: 1,
  headers: {},
});

/** An exactly-once task whose transaction's sends finish only when the test says so. */
function eosTask(sendFails?: Error) {
  const sent: string[][] = [];
  const finishSend: (() => void)[] = [];
  const transaction: TransactionPort = {
    send: (batch) =>
      new Promise((resolve, reject) => {
        finishSend.push(() => {
          sent.push(batch.map((r) => String(r.value)));
          if (sendFails) reject(sendFails);
          else resolve([]);
        });
      }),
    sendOffsets: async () => {},
    commit: async () => {},
    abort: async () => {},
  };
  const producer = { beginTransaction: async () => transaction } as unknown as ProducerPort;
  const task = {
    id: '0_0',
    outputs: [],
    producer,
    transaction: undefined,
    pendingSend: undefined,
  } as unknown as ActiveTask;
  return { task, sent, finishSend };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('OutputFlusher, exactly-once sends in the background', () => {
  it('returns before the send is answered, and the next flush waits for it first', async () => {
    const retired: string[] = [];
    const flusher = new OutputFlusher(undefined, true, silentLogger, async () => {
      retired.push('all');
    });
    const { task, sent, finishSend } = eosTask();
    task.outputs.push(record('a'), record('b'));
    await flusher.flushOrRetire(task, { inBackground: true });
    expect(task.outputs).toEqual([]);
    expect(task.pendingSend).toBeDefined();
    await tick();
    expect(sent).toEqual([]); // still in flight: the loop went on

    task.outputs.push(record('c'));
    const next = flusher.flush(task);
    await tick();
    expect(finishSend).toHaveLength(1); // the second send waits for the first
    finishSend[0]?.();
    await tick();
    finishSend[1]?.();
    await next;
    expect(sent).toEqual([['a', 'b'], ['c']]);
    expect(task.pendingSend).toBeUndefined();
    expect(retired).toEqual([]);
  });

  it('a fenced send in the background retires the tasks at the next flush, once', async () => {
    const retired: string[] = [];
    const flusher = new OutputFlusher(undefined, true, silentLogger, async () => {
      retired.push('all');
    });
    const { task, finishSend } = eosTask(new TributaryError('TASK_MIGRATED', 'fenced'));
    task.outputs.push(record('a'));
    await flusher.flushOrRetire(task, { inBackground: true });
    finishSend[0]?.();
    await tick();
    await flusher.flushOrRetire(task);
    expect(retired).toEqual(['all']);
    expect(task.pendingSend).toBeUndefined();
    await flusher.flushOrRetire(task);
    expect(retired).toEqual(['all']);
  });

  it('any other failure of a background send is thrown by the next flush', async () => {
    const flusher = new OutputFlusher(undefined, true, silentLogger, async () => {});
    const { task, finishSend } = eosTask(new TributaryError('TASK_CORRUPTED', 'no answer'));
    task.outputs.push(record('a'));
    await flusher.flushOrRetire(task, { inBackground: true });
    finishSend[0]?.();
    await expect(flusher.flush(task)).rejects.toThrow('no answer');
  });
});
