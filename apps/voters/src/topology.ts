import { Serdes, StreamsBuilder, type Topology } from '@tributary/core';
import { type ConsoleOutput, consoleSink } from '@tributary/sinks';
import { parseVoter, splitVoterKey, type Voter, type VoterStat, voterKey } from './voter.js';

export interface VotersTopologyOptions {
  /** Input topic (default `voters`). */
  inputTopic?: string;
  /** Output topic of the count updates (default `voter-stats`). */
  outputTopic?: string;
  /** Refreshing console table; `false` turns it off (tests, benchmarks). */
  console?: false | { output?: ConsoleOutput; refreshMs?: number; title?: string };
}

/** Durable store name: it names `<app>-voter-counts-changelog` and `<app>-voter-counts-repartition`. */
export const COUNT_STORE = 'voter-counts';

/**
 * voters -> validate -> group by `gender|party` -> count (KTable) -> voter-stats + console table.
 * Values arrive as JSON: bad JSON fails in the source serde (DLQ stage `deserialization`), a valid
 * JSON value that is not a voter throws in `validate` (DLQ stage `processing`).
 */
export function buildTopology(opts: VotersTopologyOptions = {}): Topology {
  const builder = new StreamsBuilder();
  const counts = builder
    .stream<string | null, unknown>(opts.inputTopic ?? 'voters', {
      keySerde: Serdes.string(),
      valueSerde: Serdes.json<unknown>(),
      name: 'voters-source',
    })
    .mapValues((v) => parseVoter(v), { name: 'validate' })
    // selectKey + groupByKey rather than groupBy: groupBy takes no name for its key-selecting node.
    .selectKey((_k, v: Voter) => voterKey(v.gender, v.party), { name: 'by-gender-party' })
    .groupByKey({ keySerde: Serdes.string() })
    .count({ name: COUNT_STORE });

  const stats = counts
    .toStream({ name: 'count-updates' })
    .mapValues((count, key): VoterStat | null => (count === null ? null : { ...splitVoterKey(key), count }), {
      name: 'to-stat',
    });
  stats.to(opts.outputTopic ?? 'voter-stats', {
    keySerde: Serdes.string(),
    valueSerde: Serdes.json<VoterStat | null>(),
    name: 'voter-stats-sink',
  });
  if (opts.console !== false) {
    const c = opts.console ?? {};
    stats.sink(
      consoleSink<string, VoterStat | null>({
        name: 'voter-table',
        mode: 'table',
        title: c.title ?? 'voters by gender and party',
        columns: (_key, s) => ({ gender: s?.gender, party: s?.party, count: s?.count }),
        ...(c.output ? { output: c.output } : {}),
        ...(c.refreshMs !== undefined ? { refreshMs: c.refreshMs } : {}),
      }),
      { name: 'voter-table' },
    );
  }
  return builder.build();
}
