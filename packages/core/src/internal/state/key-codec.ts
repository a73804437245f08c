/**
 * Window-store key encoding: `escape(keyBytes) ++ 0x00 0x00 ++ int64BE(windowStart ^ signBit)`.
 *
 * The key part is escaped rather than length-prefixed because the store contract orders windows by
 * key BYTES, then window start: a length prefix would sort every short key before every long one.
 * Escaping (0x00 -> 0x00 0xFF) with a 0x00 0x00 terminator keeps byte order between keys, and it
 * makes the encoded keys prefix-free, so a key that is a prefix of another ("a" vs "ab", or "a" vs
 * "a\0") still sorts first and one key's window range never includes another key's windows.
 * The window start is written big-endian with the sign bit flipped, so negative timestamps sort
 * before positive ones and a range scan over one key yields its windows in time order.
 */
export const windowKeyCodec = {
  encode(key: Buffer, windowStart: number): Buffer {
    const zeros = countZeros(key);
    const out = Buffer.allocUnsafe(key.length + zeros + 2 + 8);
    let o = 0;
    if (zeros === 0) {
      o = key.copy(out, 0);
    } else {
      for (const b of key) {
        out[o++] = b;
        if (b === 0) out[o++] = 0xff;
      }
    }
    out[o++] = 0;
    out[o++] = 0;
    writeOrderedInt64(out, o, windowStart);
    return out;
  },

  /** The smallest and largest encoded keys of `key`'s windows in [timeFrom, timeTo]. */
  bounds(key: Buffer, timeFrom: number, timeTo: number): { from: Buffer; to: Buffer } {
    return { from: windowKeyCodec.encode(key, timeFrom), to: windowKeyCodec.encode(key, timeTo) };
  },

  windowStart(encoded: Buffer): number {
    return readOrderedInt64(encoded, encoded.length - 8);
  },

  key(encoded: Buffer): Buffer {
    const end = encoded.length - 10;
    if (end < 0 || encoded[end] !== 0 || encoded[end + 1] !== 0) throw new Error('not a window key');
    const out = Buffer.allocUnsafe(end);
    let o = 0;
    for (let i = 0; i < end; i++) {
      const b = encoded[i]!;
      out[o++] = b;
      if (b === 0) i++; // skip the 0xFF escape
    }
    return out.subarray(0, o);
  },
};

const TWO_32 = 2 ** 32;

/** Big-endian int64 with the sign bit flipped; exact for every safe integer. */
export function writeOrderedInt64(buf: Buffer, offset: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`window start ${value} is not a safe integer`);
  const hi = Math.floor(value / TWO_32);
  const lo = value - hi * TWO_32;
  buf.writeUInt32BE((hi ^ 0x80000000) >>> 0, offset);
  buf.writeUInt32BE(lo, offset + 4);
}

export function readOrderedInt64(buf: Buffer, offset: number): number {
  const hi = (buf.readUInt32BE(offset) ^ 0x80000000) | 0;
  return hi * TWO_32 + buf.readUInt32BE(offset + 4);
}

/** The smallest key greater than every key that starts with `prefix`; undefined if none exists. */
export function prefixUpperBound(prefix: Buffer): Buffer | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      const out = Buffer.from(prefix.subarray(0, i + 1));
      out[i] = prefix[i]! + 1;
      return out;
    }
  }
  return undefined;
}

function countZeros(key: Buffer): number {
  let n = 0;
  for (const b of key) if (b === 0) n++;
  return n;
}

/**
 * Session-store key encoding: the window-key encoding of (keyBytes, end) followed by int64(start),
 * so one key's sessions are contiguous and ordered by end, then start (Kafka Streams' SessionKeySchema
 * order), and a scan from end >= earliestEnd is a range scan.
 */
export const sessionKeyCodec = {
  encode(key: Buffer, start: number, end: number): Buffer {
    const head = windowKeyCodec.encode(key, end);
    const out = Buffer.allocUnsafe(head.length + 8);
    head.copy(out, 0);
    writeOrderedInt64(out, head.length, start);
    return out;
  },

  /** Encoded keys of `key`'s sessions with fromEnd <= end <= toEnd. */
  bounds(key: Buffer, fromEnd: number, toEnd: number): { from: Buffer; to: Buffer } {
    return {
      from: sessionKeyCodec.encode(key, Number.MIN_SAFE_INTEGER, fromEnd),
      to: sessionKeyCodec.encode(key, Number.MAX_SAFE_INTEGER, toEnd),
    };
  },

  start(encoded: Buffer): number {
    return readOrderedInt64(encoded, encoded.length - 8);
  },

  end(encoded: Buffer): number {
    return readOrderedInt64(encoded, encoded.length - 16);
  },

  key(encoded: Buffer): Buffer {
    return windowKeyCodec.key(encoded.subarray(0, encoded.length - 8));
  },
};
