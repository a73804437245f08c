import { describe, expect, it } from 'vitest';
import { commonFlags, PRODUCE_FLAGS, parseFlags, SERVER_FLAGS, serverConfigOf, UsageError } from './cli.js';

const spec = {
  usage: 'usage: test',
  commands: ['produce', 'streams'],
  flags: {
    ...commonFlags({ default: 'in', env: 'IN_TOPIC' }),
    ...PRODUCE_FLAGS,
    ratio: { type: 'number', min: 0, max: 1, default: 0 },
    guarantee: { type: 'enum', values: ['at-least-once', 'exactly-once'], default: 'at-least-once' },
    formats: { type: 'list', values: ['parquet', 'csv'], default: ['parquet'] },
    'max-bytes': { type: 'number', integer: true, min: 1 },
    name: { type: 'string' },
    quiet: { type: 'boolean' },
  },
} as const;

const parse = (argv: string[], env: Record<string, string> = {}) => parseFlags(spec, argv, env);
const fails = (argv: string[], env: Record<string, string> = {}) => {
  try {
    parse(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`parsed: ${argv.join(' ')}`);
};

describe('parseFlags', () => {
  it('parses flags, applies env then defaults, and types the values', () => {
    const r = parse(
      [
        'streams',
        '--count',
        '5',
        '--rate=2.5',
        '--guarantee',
        'exactly-once',
        '--formats',
        'csv, parquet',
        '--quiet',
      ],
      { IN_TOPIC: 'from-env', LOG_LEVEL: 'warn' },
    );
    expect(r.command).toBe('streams');
    expect(r.values).toEqual({
      'bootstrap-servers': '127.0.0.1:19092',
      // The security flags' defaults (security-flags.test.ts covers them).
      'security-protocol': 'PLAINTEXT',
      'sasl-mechanism': undefined,
      'sasl-username': undefined,
      'sasl-password-file': undefined,
      'ssl-ca-location': undefined,
      'ssl-certificate-location': undefined,
      'ssl-key-location': undefined,
      'ssl-endpoint-identification-algorithm': 'https',
      'enable-ssl-certificate-verification': 'true',
      'input-topic': 'from-env',
      'log-level': 'warn',
      count: 5,
      rate: 2.5,
      seed: 1,
      'batch-size': 1000,
      ratio: 0,
      guarantee: 'exactly-once',
      formats: ['csv', 'parquet'],
      'max-bytes': undefined,
      name: undefined,
      quiet: true,
    });
    expect(parse(['produce', '--input-topic', 'flag'], { IN_TOPIC: 'env' }).values['input-topic']).toBe(
      'flag',
    );
  });

  it('takes a value that starts with one dash (a suffix, a negative number)', () => {
    expect(parse(['produce', '--name', '-suffix']).values.name).toBe('-suffix');
  });

  it('rejects a value outside a closed set, listing the allowed values', () => {
    expect(fails(['streams', '--guarantee', 'exactly_once'])).toBe(
      '--guarantee must be one of: at-least-once, exactly-once (got "exactly_once")',
    );
    expect(fails(['streams', '--formats', 'parquet,json'])).toBe(
      '--formats must be a comma-separated list of: parquet, csv (got "parquet,json")',
    );
    expect(fails(['streams'], { LOG_LEVEL: 'verbose' })).toBe(
      '--log-level (env LOG_LEVEL) must be one of: debug, info, warn, error (got "verbose")',
    );
  });

  it('rejects numbers that are not finite, out of range, or not whole where a whole number is meant', () => {
    expect(fails(['produce', '--count', 'abc'])).toBe('--count must be an integer >= 0 (got "abc")');
    expect(fails(['produce', '--count', '1.5'])).toBe('--count must be an integer >= 0 (got "1.5")');
    expect(fails(['produce', '--count='])).toBe('--count must be an integer >= 0 (got "")');
    expect(fails(['produce', '--rate', 'Infinity'])).toBe('--rate must be a number >= 0 (got "Infinity")');
    expect(fails(['produce', '--ratio', '1.5'])).toBe('--ratio must be a number from 0 to 1 (got "1.5")');
    expect(fails(['produce', '--max-bytes', '0'])).toBe('--max-bytes must be an integer >= 1 (got "0")');
    expect(fails(['produce', '--rate', '-1'])).toBe('--rate must be a number >= 0 (got "-1")');
  });

  it('rejects unknown flags, missing values, bad commands and stray arguments', () => {
    expect(fails(['streams', '--bootstrap', 'x'])).toBe('unknown flag --bootstrap');
    expect(fails(['streams', '--count'])).toMatch(/^--count/);
    expect(fails(['stream'])).toBe('the command must be one of: produce, streams (got "stream")');
    expect(fails([])).toBe('the command must be one of: produce, streams');
    expect(fails(['streams', 'extra'])).toBe('unexpected argument "extra"');
    const required = { usage: '', flags: { id: { type: 'string', required: true } } } as const;
    expect(() => parseFlags(required, [], {})).toThrow('--id is required');
    expect(parseFlags(required, ['--id', 'x'], {}).values.id satisfies string).toBe('x');
  });

  it('reports --help without requiring a command', () => {
    expect(parse(['--help']).help).toBe(true);
    expect(parse(['-h']).help).toBe(true);
  });
});

describe('server flags (shared by the apps)', () => {
  const serverSpec = { usage: 'usage: s', flags: { ...SERVER_FLAGS } } as const;
  it('leave the server off without --http-port, and bind 127.0.0.1 by default', () => {
    expect(serverConfigOf(parseFlags(serverSpec, [], {}).values)).toEqual({});
    expect(serverConfigOf(parseFlags(serverSpec, ['--http-port', '8080'], {}).values)).toEqual({
      server: { port: 8080, host: '127.0.0.1' },
    });
    expect(
      serverConfigOf(
        parseFlags(serverSpec, ['--http-host', '0.0.0.0', '--application-server', 'pod-1.svc:8080'], {
          HTTP_PORT: '9000',
        }).values,
      ),
    ).toEqual({ server: { port: 9000, host: '0.0.0.0' }, applicationServer: 'pod-1.svc:8080' });
  });

  it('reject a bad port or address', () => {
    expect(() => parseFlags(serverSpec, ['--http-port', '70000'], {})).toThrow(UsageError);
    expect(() =>
      serverConfigOf(parseFlags(serverSpec, ['--application-server', 'no-port'], {}).values),
    ).toThrow(/host:port/);
  });
});
