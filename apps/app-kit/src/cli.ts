/**
 * Command-line flags for the apps and the bench: one parser, so a bad value fails the same way
 * everywhere instead of being silently replaced by a default. Flag > environment variable > default;
 * values from the environment are validated like flags.
 */
import { parseArgs } from 'node:util';
import { SECURITY_FLAGS } from './security-flags.js';

export type FlagSpec =
  | {
      readonly type: 'string';
      readonly default?: string;
      readonly env?: string;
      /** Missing is a usage error. */
      readonly required?: boolean;
    }
  | { readonly type: 'boolean' }
  | {
      readonly type: 'enum';
      readonly values: readonly string[];
      readonly default?: string;
      readonly env?: string;
    }
  | {
      readonly type: 'number';
      readonly default?: number;
      readonly env?: string;
      readonly min?: number;
      readonly max?: number;
      /** Whole numbers only. */
      readonly integer?: boolean;
    }
  | {
      /** Comma-separated; every item one of `values` when given. */
      readonly type: 'list';
      readonly values?: readonly string[];
      readonly default?: readonly string[];
      readonly env?: string;
    };

export type Flags = Readonly<Record<string, FlagSpec>>;

/** The parsed type of one flag: optional unless it has a default. */
export type FlagValue<S extends FlagSpec> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'number' }
    ? S extends { default: number }
      ? number
      : number | undefined
    : S extends { type: 'enum'; values: readonly (infer V)[] }
      ? S extends { default: string }
        ? V
        : V | undefined
      : S extends { type: 'list'; values: readonly (infer V)[] }
        ? V[]
        : S extends { type: 'list' }
          ? string[]
          : S extends { default: string } | { required: true }
            ? string
            : string | undefined;

export type FlagValues<F extends Flags> = { -readonly [K in keyof F]: FlagValue<F[K]> };

export interface CliSpec<F extends Flags, C extends readonly string[] = readonly string[]> {
  /** Printed with --help (exit 0) and after a usage error (exit 2). */
  readonly usage: string;
  readonly flags: F;
  /** When set, the first positional argument must be one of these. */
  readonly commands?: C;
  /** Positional arguments besides the command (rejected unless set). */
  readonly positionals?: boolean;
}

export interface Parsed<F extends Flags, C extends readonly string[]> {
  values: FlagValues<F>;
  /** The command (the first positional) when the spec lists commands. */
  command: C[number];
  /** Positional arguments after the command. */
  positionals: string[];
  help: boolean;
}

/** A bad command line: the caller prints the message and the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const quote = (s: string) => JSON.stringify(s);

function describeRange(s: Extract<FlagSpec, { type: 'number' }>): string {
  const kind = s.integer ? 'an integer' : 'a number';
  if (s.min !== undefined && s.max !== undefined) return `${kind} from ${s.min} to ${s.max}`;
  if (s.min !== undefined) return `${kind} >= ${s.min}`;
  if (s.max !== undefined) return `${kind} <= ${s.max}`;
  return kind;
}

function convert(name: string, s: FlagSpec, raw: string, from: string): unknown {
  const label = `--${name}${from}`;
  switch (s.type) {
    case 'string':
      return raw;
    case 'enum':
      if (!s.values.includes(raw))
        throw new UsageError(`${label} must be one of: ${s.values.join(', ')} (got ${quote(raw)})`);
      return raw;
    case 'number': {
      const n = raw.trim() === '' ? Number.NaN : Number(raw);
      const ok =
        Number.isFinite(n) &&
        (!s.integer || Number.isInteger(n)) &&
        (s.min === undefined || n >= s.min) &&
        (s.max === undefined || n <= s.max);
      if (!ok) throw new UsageError(`${label} must be ${describeRange(s)} (got ${quote(raw)})`);
      return n;
    }
    case 'list': {
      const items = raw
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
      const allowed = s.values;
      if (items.length === 0 || (allowed && items.some((x) => !allowed.includes(x)))) {
        const what = allowed ? `a comma-separated list of: ${allowed.join(', ')}` : 'a comma-separated list';
        throw new UsageError(`${label} must be ${what} (got ${quote(raw)})`);
      }
      return items;
    }
    case 'boolean':
      return raw === 'true';
  }
}

/** Turns parseArgs' own errors (unknown flag, missing value) into usage errors. */
function usageErrorOf(err: unknown): UsageError | undefined {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code !== 'string' || !e.code.startsWith('ERR_PARSE_ARGS_')) return undefined;
  const option = /'(-{1,2}[^'\s]+)/.exec(e.message ?? '')?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return new UsageError(`unknown flag ${option ?? e.message}`);
  return new UsageError(option ? `${option}: ${e.message}` : String(e.message));
}

/** Parses and validates `argv`; throws UsageError on any bad flag, value or command. Pure apart from `env`. */
export function parseFlags<const F extends Flags, const C extends readonly string[] = readonly string[]>(
  spec: CliSpec<F, C>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Parsed<F, C> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, s] of Object.entries(spec.flags))
    options[name] = { type: s.type === 'boolean' ? 'boolean' : 'string' };
  // `--flag -x` is the value "-x" (a suffix, a negative number), which parseArgs would call ambiguous.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = argv[i + 1];
    const s = a.startsWith('--') && !a.includes('=') ? spec.flags[a.slice(2)] : undefined;
    if (s && s.type !== 'boolean' && next !== undefined && !next.startsWith('--')) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageErrorOf(err) ?? err;
  }
  const raw = parsed.values as Record<string, string | boolean | undefined>;
  const help = raw.help === true;
  const values: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(spec.flags)) {
    const given = raw[name];
    if (s.type === 'boolean') {
      values[name] = given === true;
      continue;
    }
    if (typeof given === 'string') values[name] = convert(name, s, given, '');
    else if (s.env !== undefined && env[s.env] !== undefined && env[s.env] !== '')
      values[name] = convert(name, s, env[s.env] as string, ` (env ${s.env})`);
    else if (s.type === 'string' && s.required && !help) throw new UsageError(`--${name} is required`);
    else values[name] = s.type === 'list' && s.default ? [...s.default] : s.default;
  }
  const positionals = [...parsed.positionals];
  let command: string | undefined;
  if (spec.commands && !help) {
    command = positionals.shift();
    if (command === undefined || !spec.commands.includes(command))
      throw new UsageError(
        `the command must be one of: ${spec.commands.join(', ')}${command === undefined ? '' : ` (got ${quote(command)})`}`,
      );
  }
  if (!spec.positionals && positionals.length > 0 && !help)
    throw new UsageError(`unexpected argument ${quote(positionals[0] as string)}`);
  return { values: values as FlagValues<F>, command: command as C[number], positionals, help };
}

/**
 * Runs a main module's flag parsing (parseFlags, maybe with checks of its own): --help prints the usage
 * and exits 0; a UsageError prints the message and the usage on stderr and exits 2, before the program
 * does anything else (no Kafka connection).
 */
export function parseCliOrExit<T extends { help: boolean }>(usage: string, parse: () => T): T {
  try {
    const parsed = parse();
    if (parsed.help) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    return parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${usage}\n`);
    process.exit(2);
  }
}

/**
 * Flags every app has: where Kafka is and how to connect (SECURITY_FLAGS, read with
 * securityFromFlags), the input topic, and the log level.
 */
export function commonFlags<const T extends string>(inputTopic: { default: T; env: string }) {
  return {
    'bootstrap-servers': { type: 'string', env: 'KAFKA_BOOTSTRAP_SERVERS', default: '127.0.0.1:19092' },
    ...SECURITY_FLAGS,
    'input-topic': { type: 'string', env: inputTopic.env, default: inputTopic.default },
    'log-level': {
      type: 'enum',
      values: ['debug', 'info', 'warn', 'error'],
      env: 'LOG_LEVEL',
      default: 'info',
    },
  } as const;
}

/**
 * Flags of the built-in HTTP server (queries, /metrics, health, status page): off unless --http-port
 * is given; 127.0.0.1 unless --http-host says otherwise. --application-server is the host:port the
 * other instances forward queries to (default: the server's own address).
 */
export const SERVER_FLAGS = {
  'http-port': { type: 'number', integer: true, min: 0, max: 65_535, env: 'HTTP_PORT' },
  'http-host': { type: 'string', env: 'HTTP_HOST', default: '127.0.0.1' },
  'application-server': { type: 'string', env: 'APPLICATION_SERVER' },
} as const;

/** Usage lines for SERVER_FLAGS, for the apps' usage texts. */
export const SERVER_FLAGS_USAGE = `http:     --http-port N (env HTTP_PORT; off by default)  --http-host (env HTTP_HOST, default 127.0.0.1)
          --application-server host:port (env APPLICATION_SERVER; default: the server's address)
          bearer token: env TRIBUTARY_HTTP_TOKEN`;

/** The Tributary config fields SERVER_FLAGS set: `server` only with a port, `applicationServer` if given. */
export function serverConfigOf(values: {
  'http-port': number | undefined;
  'http-host': string;
  'application-server': string | undefined;
}): { server?: { port: number; host: string }; applicationServer?: string } {
  const appServer = values['application-server'];
  if (appServer !== undefined && !/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(appServer))
    throw new UsageError(`--application-server must be host:port (got ${quote(appServer)})`);
  const port = values['http-port'];
  return {
    ...(port !== undefined ? { server: { port, host: values['http-host'] } } : {}),
    ...(appServer !== undefined ? { applicationServer: appServer } : {}),
  };
}

/** Flags of a producer command: how many records, how fast, from which seed, how many per request. */
export const PRODUCE_FLAGS = {
  count: { type: 'number', integer: true, min: 0, default: 10_000 },
  rate: { type: 'number', min: 0, default: 0 },
  seed: { type: 'number', integer: true, min: 0, default: 1 },
  'batch-size': { type: 'number', integer: true, min: 1, default: 1000 },
} as const;
