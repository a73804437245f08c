import {
  type Processor,
  type ProcessorContext,
  type PunctuationType,
  Serdes,
  StreamsBuilder,
  type Topology,
} from '@tributary/core';

/**
 * Tributary's side of PunctuationScenarios.java: a processor schedules one punctuator every 10 s in
 * init and forwards ("tick", time) stamped with the time it was called with.
 */
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

class Ticker implements Processor<string, string, string, string> {
  constructor(private readonly type: PunctuationType) {}

  init(ctx: ProcessorContext<string, string>): void {
    ctx.schedule(10_000, this.type, (t) =>
      ctx.forward({ key: 'tick', value: String(t), timestamp: t, headers: {} }),
    );
  }

  process(): void {}
}

function ticker(type: PunctuationType): () => Topology {
  return () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', strings)
      .process(() => new Ticker(type), { name: 'ticker' })
      .to('out', strings);
    return b.build();
  };
}

export const punctuationScenarios: Readonly<Record<string, () => Topology>> = {
  'punctuate-stream-time': ticker('stream-time'),
  'punctuate-wall-clock': ticker('wall-clock'),
};
