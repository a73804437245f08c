import { describe, expect, it } from 'vitest';
import type { OutgoingRecord, ProducedOffset, ProducerPort } from '../../kafka/ports.js';
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

/** The shared at-least-once producer; each send is answered only when the test says so. */
function sharedProducer(failWith?: Error) {
  const sent: string[][] = [];
  const answer: (() => void)[] = [];
  const producer = {
    send: (batch: readonly OutgoingRecord[]) => {
      sent.push(batch.map((r) => String(r.value)));
      return new Promise<ProducedOffset[]>((resolve, reject) => {
        answer.push(() => (failWith ? reject(failWith) : resolve([])));
      });
    },
  } as unknown as ProducerPort;
  return { producer, sent, answer };
}

const task = (id: string, ...values: string[]) =>
  ({ id, outputs: values.map(record), producer: undefined, transaction: undefined }) as unknown as ActiveTask;

const tick = () => new Promise((r) => setImmediate(r));

/** Resolves to 'pending' if `p` has not settled after a few turns of the loop. */
async function state(p: Promise<unknown>): Promise<'done' | 'pending' | 'failed'> {
  let s: 'done' | 'pending' | 'failed' = 'pending';
  p.then(
    () => (s = 'done'),
    () => (s = 'failed'),
  );
  await tick();
  await tick();
  return s;
}

describe('OutputFlusher, at-least-once sends in the background', () => {
  it('sends every task’s output in one send and returns before the broker answers', async () => {
    const { producer, sent, answer } = sharedProducer();
    const flusher = new OutputFlusher(producer, false, silentLogger, async () => {});
    const a = task('0_0', 'a1', 'a2');
    const b = task('0_1', 'b1');
    expect(await state(flusher.flushAll([a, b]))).toBe('done');
    expect(sent).toEqual([['a1', 'a2', 'b1']]);
    expect(a.outputs).toEqual([]);
    expect(b.outputs).toEqual([]);
    expect(answer).toHaveLength(1); // unanswered, yet the loop went on
  });

  it('keeps one send in flight: the next flush, a commit’s flush and settle() wait for it', async () => {
    const { producer, sent, answer } = sharedProducer();
    const flusher = new OutputFlusher(producer, false, silentLogger, async () => {});
    const a = task('0_0', 'a1');
    await flusher.flushAll([a]);
    a.outputs.push(record('a2'));
    const next = flusher.flushAll([a]);
    expect(await state(next)).toBe('pending');
    expect(sent).toEqual([['a1']]); // a2 is not sent before a1 is acknowledged: order per partition
    answer[0]?.();
    expect(await state(next)).toBe('done');
    expect(sent).toEqual([['a1'], ['a2']]);

    a.outputs.push(record('a3'));
    const commitFlush = flusher.flushAllAndWait([a]);
    expect(await state(commitFlush)).toBe('pending'); // a2 still unanswered
    answer[1]?.();
    expect(await state(commitFlush)).toBe('pending'); // now a3's own send
    answer[2]?.();
    expect(await state(commitFlush)).toBe('done');
    expect(await state(flusher.settle())).toBe('done');
  });

  it('a failed background send is thrown by the next flush, not lost', async () => {
    const { producer, answer } = sharedProducer(new Error('broker gone'));
    const flusher = new OutputFlusher(producer, false, silentLogger, async () => {});
    const a = task('0_0', 'a1');
    await flusher.flushAll([a]);
    answer[0]?.();
    a.outputs.push(record('a2'));
    await expect(flusher.flushAll([a])).rejects.toThrow('broker gone');
    // Thrown once: the failed send is no longer in flight.
    await expect(flusher.settle()).resolves.toBeUndefined();
  });
});
