import { describe, expect, it } from 'vitest';
import { perThousandRecords, stageOf } from './profile-categories.js';

describe('profile stages', () => {
  it('sorts frames by script and V8 pseudo-frame name', () => {
    expect(stageOf({ functionName: '(idle)', url: '' })).toBe('idle (waiting for I/O)');
    expect(stageOf({ functionName: '(garbage collector)', url: '' })).toBe('garbage collector');
    expect(
      stageOf({ functionName: 'decode', url: 'npm:kafkajs/src/protocol/recordBatch/record/v0/decoder.js' }),
    ).toBe('kafka fetch: record decoding');
    expect(stageOf({ functionName: 'writeUVarInt', url: 'npm:kafkajs/src/protocol/encoder.js' })).toBe(
      'kafka produce: encoding',
    );
    expect(stageOf({ functionName: 'unpack', url: 'npm:msgpackr/unpack.js' })).toBe(
      'repartition serde (msgpack)',
    );
    expect(stageOf({ functionName: 'parseView', url: 'apps/campaign-views/src/view.ts' })).toBe(
      'app parsing and mapping',
    );
    expect(stageOf({ functionName: 'get', url: 'packages/state/src/write-buffer.ts' })).toBe(
      'stores (cache, LevelDB)',
    );
    expect(
      stageOf({ functionName: 'add', url: 'packages/core/src/internal/processors/open-windows.ts' }),
    ).toBe('processors and serdes');
    expect(
      stageOf({ functionName: 'drain', url: 'packages/core/src/internal/runtime/task-manager.ts' }),
    ).toBe('runtime (tasks, queues, commit)');
    expect(stageOf({ functionName: '(program)', url: '' })).toBe('other (program, tsx, other packages)');
  });

  it('turns microseconds into milliseconds per 1,000 records and shares', () => {
    const rows = perThousandRecords(
      new Map([
        ['garbage collector', 3_000_000],
        ['idle (waiting for I/O)', 1_000_000],
      ]),
      1_000_000,
    );
    // Stage order, not size order: idle comes first.
    expect(rows).toEqual([
      ['idle (waiting for I/O)', 1, 0.25],
      ['garbage collector', 3, 0.75],
    ]);
  });
});
