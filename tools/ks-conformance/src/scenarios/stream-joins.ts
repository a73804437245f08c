import { JoinWindows, type KStream, Serdes, StreamsBuilder, type Topology } from '@tributary/core';

/**
 * Tributary's side of StreamJoinScenarios.java: the same topologies under the same names. Inputs
 * "left" and "right"; the joiner renders "left+right" with a missing side as "null", as Java's string
 * concatenation does.
 */
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };
type Kind = 'inner' | 'left' | 'outer';
type S = KStream<string, string>;

const joiner = (l: string | undefined, r: string | undefined): string => `${l ?? 'null'}+${r ?? 'null'}`;

/** Options every join of the scenarios gets besides its name (the index tests shrink the index). */
export interface ScenarioJoinOptions {
  readonly indexMaxBytes?: number;
}

function joinWith(o: ScenarioJoinOptions) {
  return (kind: Kind, l: S, r: S, w: JoinWindows, name: string): KStream<string, string> => {
    if (kind === 'inner') return l.join(r, joiner, w, { ...o, name });
    if (kind === 'left') return l.leftJoin(r, joiner, w, { ...o, name });
    return l.outerJoin(r, joiner, w, { ...o, name });
  };
}

/** The scenarios, every join built with `o` on top of its name. */
export function streamJoinScenariosWith(o: ScenarioJoinOptions): Readonly<Record<string, () => Topology>> {
  const join = joinWith(o);
  function inputs(b: StreamsBuilder): [S, S] {
    return [b.stream<string, string>('left', strings), b.stream<string, string>('right', strings)];
  }

  function simple(kind: Kind, w: JoinWindows): () => Topology {
    return () => {
      const b = new StreamsBuilder();
      const [l, r] = inputs(b);
      join(kind, l, r, w, 'j').to('out', strings);
      return b.build();
    };
  }

  function several(w: JoinWindows, outs: Record<string, Kind>): () => Topology {
    return () => {
      const b = new StreamsBuilder();
      const [l, r] = inputs(b);
      for (const [topic, kind] of Object.entries(outs)) join(kind, l, r, w, `j-${topic}`).to(topic, strings);
      return b.build();
    };
  }

  function selfJoin(): Topology {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('left', strings);
    const w = JoinWindows.ofTimeDifferenceWithNoGrace(100);
    join('inner', s, s, w, 'ji').to('inner', strings);
    join('left', s, s, w, 'jl').to('left-out', strings);
    return b.build();
  }

  return {
    'ssjoin-inner-window-edges': simple('inner', JoinWindows.ofTimeDifferenceWithNoGrace(100)),
    'ssjoin-inner-asymmetric': simple('inner', JoinWindows.ofTimeDifferenceWithNoGrace(100).before(50)),
    'ssjoin-inner-after-key-change': () => {
      const b = new StreamsBuilder();
      const [l, r] = inputs(b);
      l.selectKey((_k, v) => v.slice(0, 1))
        .join(r, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(100), { ...o, name: 'j' })
        .to('out', strings);
      return b.build();
    },
    'ssjoin-inner-joiner-with-key': () => {
      const b = new StreamsBuilder();
      const [l, r] = inputs(b);
      l.join(r, (lv, rv, k) => `${k}:${lv}+${rv}`, JoinWindows.ofTimeDifferenceWithNoGrace(100), {
        ...o,
        name: 'j',
      }).to('out', strings);
      return b.build();
    },
    'ssjoin-late-record-joins-retained': simple('inner', JoinWindows.ofTimeDifferenceWithNoGrace(100)),
    'ssjoin-left-unmatched-at-close': simple('left', JoinWindows.ofTimeDifferenceAndGrace(100, 50)),
    'ssjoin-left-grace-boundary': simple('left', JoinWindows.ofTimeDifferenceAndGrace(100, 50)),
    'ssjoin-left-out-of-order-unmatched': simple('left', JoinWindows.ofTimeDifferenceAndGrace(100, 500)),
    'ssjoin-left-emit-throttle': simple('left', JoinWindows.ofTimeDifferenceWithNoGrace(100)),
    'ssjoin-left-asymmetric-close': simple('left', JoinWindows.ofTimeDifferenceAndGrace(100, 20).before(300)),
    'ssjoin-outer-unmatched': simple('outer', JoinWindows.ofTimeDifferenceAndGrace(100, 0)),
    'ssjoin-outer-asymmetric-close': simple('outer', JoinWindows.ofTimeDifferenceWithNoGrace(100).before(10)),
    'ssjoin-null-keys-values': several(JoinWindows.ofTimeDifferenceAndGrace(100, 0), {
      inner: 'inner',
      'left-out': 'left',
      outer: 'outer',
    }),
    'ssjoin-left-nulls-advance-stream-time': simple('left', JoinWindows.ofTimeDifferenceWithNoGrace(100)),
    'ssjoin-self-join': selfJoin,
    'ssjoin-duplicates': several(JoinWindows.ofTimeDifferenceAndGrace(100, 0), {
      inner: 'inner',
      outer: 'outer',
    }),
  };
}

export const streamJoinScenarios = streamJoinScenariosWith({});
