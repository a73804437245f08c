// The errors inside a Kafka client's error. kafkajs wraps the failure of its last attempt in
// `originalError` (retries exceeded) or `cause`, and batches in `errors[]`; @platformatic/kafka wraps
// each attempt in a MultipleErrors (`errors[]`) with `cause`s. Every check that looks for a protocol
// error type, a retriable flag or a TLS code walks the chain through this one function.

/** One error of a chain, with the fields the clients put on theirs. */
export type ChainedError = Readonly<Record<string, unknown>>;

const MAX_DEPTH = 6;

/**
 * The error and everything it wraps, depth-first (the error, then its `cause`, `originalError` and
 * `errors[]`, each with its own): non-objects are left out, each error appears once, and the walk
 * stops MAX_DEPTH levels down, so a cyclic or very deep chain costs little.
 */
export function errorChain(err: unknown): ChainedError[] {
  const out: ChainedError[] = [];
  const seen = new Set<object>();
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > MAX_DEPTH || seen.has(e)) return;
    seen.add(e);
    const x = e as ChainedError;
    out.push(x);
    visit(x.cause, depth + 1);
    visit(x.originalError, depth + 1);
    if (Array.isArray(x.errors)) for (const inner of x.errors) visit(inner, depth + 1);
  };
  visit(err, 0);
  return out;
}

/** The string values of `field` along the chain, in chain order. */
export function chainStrings(chain: readonly ChainedError[], field: string): string[] {
  const out: string[] = [];
  for (const e of chain) {
    const v = e[field];
    if (typeof v === 'string') out.push(v);
  }
  return out;
}
