/**
 * The one place JSON meets bigint (JSON.stringify throws on one). Round trips (heartbeats, state)
 * use the tagged form, `{"$bigint":"<decimal>"}`, which the reviver turns back into a bigint; text
 * for people and HTTP clients uses the plain decimal string, which does not come back.
 */
const TAG = '$bigint';
const DECIMAL = /^-?\d+$/;

/** JSON.stringify replacer: a bigint becomes `{"$bigint":"<decimal>"}`. */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? { [TAG]: value.toString() } : value;
}

/** JSON.parse reviver: `{"$bigint":"<decimal>"}` (that key alone) becomes the bigint again. */
export function bigintReviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const tagged = (value as Record<string, unknown>)[TAG];
  if (typeof tagged !== 'string' || !DECIMAL.test(tagged) || Object.keys(value).length !== 1) return value;
  return BigInt(tagged);
}

/** JSON.stringify replacer for output only: a bigint as its decimal string. */
export function bigintAsDecimal(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
