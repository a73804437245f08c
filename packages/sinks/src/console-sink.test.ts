import { record } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { consoleSink, renderTable } from './console-sink.js';
import { ManualClock, range, testContext } from './testing/harness.js';

function capture(isTTY = false) {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, write: (s: string) => chunks.push(s) } };
}

describe('consoleSink append mode', () => {
  it('prints at publish, so output matches committed data; abort prints nothing', async () => {
    const { chunks, out } = capture();
    const sink = consoleSink<string, { n: bigint }>({ output: out });
    const task = await sink.openTask(testContext());
    task.write(record('a', { n: 1n }, 0), undefined);
    task.write(record('b', { n: 2n }, 0), undefined);
    await task.prepare([range(0n, 1n)]);
    expect(chunks).toEqual([]);
    await task.publish();
    expect(chunks.join('')).toBe('a\t{"n":"1"}\nb\t{"n":"2"}\n');
    task.write(record('c', { n: 3n }, 0), undefined);
    await task.prepare([range(2n, 2n)]);
    await task.abort();
    await task.publish();
    expect(chunks.join('')).toBe('a\t{"n":"1"}\nb\t{"n":"2"}\n');
  });

  it('uses a custom format', async () => {
    const { chunks, out } = capture();
    const sink = consoleSink<string, number>({ output: out, format: (r) => `${r.key}=${r.value * 2}` });
    const task = await sink.openTask(testContext());
    task.write(record('x', 21, 0), undefined);
    await task.prepare([]);
    await task.publish();
    expect(chunks).toEqual(['x=42\n']);
  });
});

describe('consoleSink table mode', () => {
  it('keeps the latest value per key across tasks, removes null values, throttles re-renders', async () => {
    const { chunks, out } = capture(false);
    const clock = new ManualClock(10_000);
    const sink = consoleSink<string, { count: number } | null>({
      mode: 'table',
      output: out,
      refreshMs: 1000,
    });
    const t0 = await sink.openTask(testContext({ taskId: '0_0', clock }));
    const t1 = await sink.openTask(testContext({ taskId: '0_1', clock }));
    t0.write(record('F|blue', { count: 1 }, 0), undefined);
    t0.write(record('F|blue', { count: 2 }, 0), undefined);
    t1.write(record('M|red', { count: 5 }, 0), undefined);
    await t0.prepare([]);
    await t0.publish();
    expect(chunks).toEqual([renderTable([{ key: 'F|blue', count: 2 }]) + '\n']);
    await t1.prepare([]);
    await t1.publish(); // within refreshMs: no render yet
    expect(chunks).toHaveLength(1);
    clock.time += 1000;
    t1.tick?.(clock.time);
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toBe(
      renderTable([
        { key: 'F|blue', count: 2 },
        { key: 'M|red', count: 5 },
      ]) + '\n',
    );
    t0.write(record('F|blue', null, 0), undefined);
    await t0.prepare([]);
    await t0.publish();
    clock.time += 1000;
    t0.tick?.(clock.time);
    expect(chunks[2]).toBe(renderTable([{ key: 'M|red', count: 5 }]) + '\n');
    t0.tick?.(clock.time + 5000); // nothing changed: no re-render
    expect(chunks).toHaveLength(3);
  });

  it('clears the screen on a TTY and renders an aligned table', async () => {
    const { chunks, out } = capture(true);
    const sink = consoleSink<string, number>({ mode: 'table', output: out, title: 'votes', refreshMs: 0 });
    const task = await sink.openTask(testContext());
    task.write(record('long-key', 7, 0), undefined);
    task.write(record('k', 12345, 0), undefined);
    await task.prepare([]);
    await task.publish();
    expect(chunks).toEqual([
      '\x1b[2J\x1b[Hvotes\nkey      | value\n---------+------\nk        | 12345\nlong-key | 7\n',
    ]);
  });

  it('renders the final state at close', async () => {
    const { chunks, out } = capture();
    const sink = consoleSink<string, number>({ mode: 'table', output: out, refreshMs: 60_000 });
    const task = await sink.openTask(testContext());
    task.write(record('a', 1, 0), undefined);
    await task.prepare([]);
    await task.publish();
    task.write(record('a', 2, 0), undefined);
    await task.prepare([]);
    await task.publish();
    expect(chunks).toHaveLength(1);
    await task.close();
    expect(chunks[1]).toBe(renderTable([{ key: 'a', value: 2 }]) + '\n');
  });
});
