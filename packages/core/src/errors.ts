/** Stable error codes; tests and users match on these, never on messages. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'TOPOLOGY_INVALID'
  | 'TOPOLOGY_NAME_MISSING'
  | 'COPARTITION_MISMATCH'
  | 'SERDE_ERROR'
  | 'DESERIALIZATION_FAILED'
  | 'PROCESSING_FAILED'
  | 'PRODUCTION_FAILED'
  | 'STORE_NOT_FOUND'
  | 'STORE_CLOSED'
  | 'STORE_CORRUPT'
  | 'STATE_BACKEND_MISSING'
  | 'RESTORE_FAILED'
  | 'SINK_FAILED'
  | 'COMMIT_FAILED'
  | 'TASK_MIGRATED'
  | 'TASK_CORRUPTED'
  | 'ILLEGAL_STATE'
  | 'KAFKA_ERROR'
  /** SASL authentication rejected by the broker (wrong password or token, unknown user). */
  | 'KAFKA_AUTH_FAILED'
  /** TLS handshake failed: untrusted certificate, host name mismatch, TLS and plaintext mixed up. */
  | 'KAFKA_TLS_FAILED'
  | 'SUPPRESS_BUFFER_FULL'
  /** Interactive queries: the store exists but cannot answer now (restoring, rebalancing, stopped). Retry. */
  | 'STORE_UNAVAILABLE'
  | 'STORE_WRONG_TYPE'
  /** Interactive queries: the key's partition is hosted by another instance (see metadataForKey). */
  | 'KEY_NOT_HOSTED'
  /** A query with a malformed key or parameter. */
  | 'QUERY_INVALID';

export class TributaryError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TributaryError';
    this.code = code;
  }
}

export function isTributaryError(err: unknown, code?: ErrorCode): err is TributaryError {
  return err instanceof TributaryError && (code === undefined || err.code === code);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
