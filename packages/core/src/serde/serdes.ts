import { Packr } from 'msgpackr';
import { TributaryError } from '../errors.js';
import { jsonSerde } from './json-serde.js';
import type { Serde } from './serde.js';

// useRecords: false keeps the bytes plain msgpack maps, readable by any msgpack decoder.
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'bigint' });

function fail(kind: string, err: unknown, topic?: string): never {
  const where = topic ? ` (topic ${topic})` : '';
  throw new TributaryError('SERDE_ERROR', `${kind} failed${where}: ${(err as Error)?.message ?? err}`, {
    cause: err,
  });
}

const stringSerde: Serde<string> = {
  serialize: (v) => (v === null || v === undefined ? null : Buffer.from(v, 'utf8')),
  deserialize: (b) => (b === null ? (null as unknown as string) : b.toString('utf8')),
};

const bytesSerde: Serde<Buffer> = {
  serialize: (v) => v ?? null,
  deserialize: (b) => b as Buffer,
};

/** Big-endian signed 64-bit; sorts correctly for non-negative values. */
const int64Serde: Serde<bigint> = {
  serialize: (v) => {
    if (v === null || v === undefined) return null;
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(v);
    return b;
  },
  deserialize: (b) => (b === null ? (null as unknown as bigint) : b.readBigInt64BE(0)),
};

/** A JS number as a big-endian double. */
const doubleSerde: Serde<number> = {
  serialize: (v) => {
    if (v === null || v === undefined) return null;
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(v);
    return b;
  },
  deserialize: (b) => (b === null ? (null as unknown as number) : b.readDoubleBE(0)),
};

function msgpack<T>(): Serde<T> {
  return {
    serialize: (v, topic) => {
      if (v === null || v === undefined) return null;
      try {
        return packr.pack(v);
      } catch (err) {
        fail('msgpack encode', err, topic);
      }
    },
    deserialize: (b, topic) => {
      if (b === null) return null as T;
      try {
        return packr.unpack(b) as T;
      } catch (err) {
        fail('msgpack decode', err, topic);
      }
    },
  };
}

/** A serde from two functions; null passes through untouched. */
function custom<T>(serialize: (value: T) => Buffer, deserialize: (data: Buffer) => T): Serde<T> {
  return {
    serialize: (v) => (v === null || v === undefined ? null : serialize(v)),
    deserialize: (b) => (b === null ? (null as T) : deserialize(b)),
  };
}

export const Serdes = {
  string: (): Serde<string> => stringSerde,
  bytes: (): Serde<Buffer> => bytesSerde,
  int64: (): Serde<bigint> => int64Serde,
  double: (): Serde<number> => doubleSerde,
  json: jsonSerde,
  msgpack,
  custom,
} as const;
