/**
 * Sorts a CPU profile's self time into the stages of Tributary's hot path, so a profile reads as
 * "milliseconds per 1,000 records" per stage (issue #20). The first rule that matches wins; a frame
 * is judged by its script, or by its name for V8's pseudo-frames.
 */
export interface Frame {
  readonly functionName: string;
  /** Shortened script path: `npm:<package>/...`, `packages/...`, `apps/...`, `node:...`. */
  readonly url: string;
}

const RULES: readonly (readonly [stage: string, test: (f: Frame) => boolean])[] = [
  ['idle (waiting for I/O)', (f) => f.url === '' && f.functionName === '(idle)'],
  ['garbage collector', (f) => f.url === '' && f.functionName === '(garbage collector)'],
  [
    'kafka fetch: record decoding',
    (f) => /^npm:kafkajs\/src\/protocol\/(recordBatch|requests\/fetch)/.test(f.url),
  ],
  [
    'kafka produce: encoding',
    (f) => /^npm:kafkajs\/src\/protocol\/(requests\/produce|encoder|crc32)/.test(f.url),
  ],
  ['kafka client: other', (f) => /^npm:(kafkajs|@platformatic\/kafka)\//.test(f.url)],
  ['Tributary kafka adapter', (f) => f.url.startsWith('packages/core/src/kafka/')],
  ['repartition serde (msgpack)', (f) => f.url.startsWith('npm:msgpackr/')],
  ['app parsing and mapping', (f) => f.url.startsWith('apps/')],
  [
    'stores (cache, LevelDB)',
    (f) =>
      /^(packages\/state\/|npm:(classic-level|abstract-level|level-)|packages\/core\/src\/(internal\/)?state\/)/.test(
        f.url,
      ),
  ],
  ['sinks (Parquet, CSV)', (f) => /^(packages\/sinks\/|npm:hyparquet)/.test(f.url)],
  [
    'processors and serdes',
    (f) => /^packages\/core\/src\/(internal\/processors|serde|processor|kstream)\//.test(f.url),
  ],
  ['runtime (tasks, queues, commit)', (f) => f.url.startsWith('packages/core/src/')],
  ['node buffers', (f) => /^node:(buffer|internal\/buffer)/.test(f.url)],
  ['node: other', (f) => f.url.startsWith('node:')],
];
const OTHER = 'other (program, tsx, other packages)';

export function stageOf(frame: Frame): string {
  for (const [stage, test] of RULES) if (test(frame)) return stage;
  return OTHER;
}

/** Stage order as printed: the hot path's, then "other". */
export const STAGES: readonly string[] = [...RULES.map(([s]) => s), OTHER];

/** Microseconds of self time per stage -> rows of [stage, ms per 1,000 records, share]. */
export function perThousandRecords(
  usByStage: ReadonlyMap<string, number>,
  records: number,
): [stage: string, msPer1k: number, share: number][] {
  const total = [...usByStage.values()].reduce((s, v) => s + v, 0);
  return STAGES.filter((s) => (usByStage.get(s) ?? 0) > 0).map((s) => {
    const us = usByStage.get(s) ?? 0;
    return [s, us / 1000 / (records / 1000), total > 0 ? us / total : 0];
  });
}
