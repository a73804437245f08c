import { Serdes, StreamsBuilder, type Topology } from '@tributary/core';

/**
 * Tributary's side of ForeignKeyJoinScenarios.java: left values "fk|payload" (an empty fk is a null
 * foreign key), the right table keyed by foreign key; the joiner renders "left+right" with a missing
 * side as "null".
 */
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

const joiner = (l: string, r: string | undefined): string => `${l}+${r ?? 'null'}`;
const fk = (v: string): string | null => v.slice(0, v.indexOf('|')) || null;

function both(): Topology {
  const b = new StreamsBuilder();
  const l = b.table<string, string>('left', { ...strings, name: 'left-store' });
  const r = b.table<string, string>('right', { ...strings, name: 'right-store' });
  l.join(r, fk, joiner, { name: 'fi' }).toStream().to('inner', strings);
  l.leftJoin(r, fk, joiner, { name: 'fl' }).toStream().to('left-out', strings);
  return b.build();
}

export const foreignKeyJoinScenarios: Readonly<Record<string, () => Topology>> = {
  'fkjoin-updates': both,
  'fkjoin-fk-changes': both,
  'fkjoin-deletes': both,
  'fkjoin-null-fk': both,
};
