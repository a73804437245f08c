import { bigintAsDecimal } from './serde/json-bigint.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

/** Structured logger, injected through config. Messages are short; details go in fields. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  /**
   * Whether a line at `level` is written at all. Optional; a logger that drops levels should say so,
   * so that wrappers skip their work (the redaction of secrets) for lines nobody will see.
   */
  enabled?(level: LogLevel): boolean;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** One JSON object per line on stderr. */
export function jsonLogger(level: LogLevel = 'info', base: LogFields = {}): Logger {
  const min = order[level];
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (order[lvl] < min) return;
    const line = { time: new Date().toISOString(), level: lvl, msg, ...base, ...fields };
    process.stderr.write(`${JSON.stringify(line, bigintAsDecimal)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => jsonLogger(level, { ...base, ...fields }),
    enabled: (lvl) => order[lvl] >= min,
  };
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
  enabled: () => false,
};
