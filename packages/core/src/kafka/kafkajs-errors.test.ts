import { type LogEntry, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { Logger, LogLevel } from '../logger.js';
import { kafkajsLogger, kafkajsLogLevel } from './kafkajs-errors.js';

const entry = (level: logLevel, namespace: string, message: string, extra: object = {}): LogEntry => ({
  level,
  namespace,
  label: logLevel[level],
  log: { timestamp: '2026-01-01T00:00:00.000Z', message, ...extra },
});

describe('kafkajsLogLevel', () => {
  it('logs one failed request at debug: the caller retries it or passes the error up', () => {
    // What a fresh app on a fresh broker printed at error before it went on working.
    const e = entry(logLevel.ERROR, 'Connection', 'Response InitProducerId(key: 22, version: 1)', {
      broker: 'localhost:9092',
      error: "The coordinator is loading and hence can't process requests",
    });
    expect(kafkajsLogLevel(e)).toBe('debug');
  });

  it('logs a retry in progress at debug, and at warn once it keeps failing', () => {
    const send = (retryCount: number) =>
      entry(logLevel.ERROR, 'Producer', 'Failed to send messages: This server is not the leader', {
        retryCount,
        retryTime: 100,
      });
    expect(kafkajsLogLevel(send(0))).toBe('debug');
    expect(kafkajsLogLevel(send(2))).toBe('debug');
    expect(kafkajsLogLevel(send(3))).toBe('warn');
    const createTopics = entry(logLevel.WARN, 'Admin', 'Could not create topics', { retryCount: 1 });
    expect(kafkajsLogLevel(createTopics)).toBe('debug');
  });

  it('logs trouble the client handles itself at warn, never at error', () => {
    expect(
      kafkajsLogLevel(entry(logLevel.ERROR, 'Connection', 'Connection error: connect ECONNREFUSED')),
    ).toBe('warn');
    expect(kafkajsLogLevel(entry(logLevel.ERROR, 'Consumer', 'Restarting the consumer in 300ms'))).toBe(
      'warn',
    );
    expect(
      kafkajsLogLevel(
        entry(logLevel.ERROR, 'Runner', 'The coordinator is not aware of this member, re-joining'),
      ),
    ).toBe('warn');
    expect(
      kafkajsLogLevel(entry(logLevel.WARN, 'ConsumerGroup', 'The group is rebalancing, re-joining')),
    ).toBe('warn');
  });

  it('keeps error for a listener of ours that threw: nothing retries it', () => {
    expect(kafkajsLogLevel(entry(logLevel.ERROR, 'Consumer', 'Failed to execute listener: boom'))).toBe(
      'error',
    );
  });

  it('logs the bounded-retries warning of every idempotent producer at debug', () => {
    const e = entry(
      logLevel.WARN,
      'Producer',
      'Limiting retries for the idempotent producer may invalidate EoS',
    );
    expect(kafkajsLogLevel(e)).toBe('debug');
  });

  it('logs info and debug entries at debug', () => {
    expect(kafkajsLogLevel(entry(logLevel.INFO, 'Consumer', 'Starting'))).toBe('debug');
    expect(kafkajsLogLevel(entry(logLevel.DEBUG, 'Connection', 'Request Metadata'))).toBe('debug');
  });
});

describe('kafkajsLogger', () => {
  it('writes the entry at its level, with the namespace and the entry fields', () => {
    const lines: [LogLevel, string, unknown][] = [];
    const at =
      (level: LogLevel) =>
      (msg: string, fields?: unknown): void => {
        lines.push([level, msg, fields]);
      };
    const logger: Logger = {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: () => logger,
    };
    const log = kafkajsLogger(logger)(logLevel.WARN);
    log(
      entry(logLevel.ERROR, 'Connection', 'Response InitProducerId(key: 22, version: 1)', {
        error: 'loading',
      }),
    );
    log(entry(logLevel.ERROR, 'Consumer', 'Failed to execute listener: boom'));
    expect(lines).toEqual([
      [
        'debug',
        'Response InitProducerId(key: 22, version: 1)',
        { kafkajs: 'Connection', timestamp: '2026-01-01T00:00:00.000Z', error: 'loading' },
      ],
      [
        'error',
        'Failed to execute listener: boom',
        { kafkajs: 'Consumer', timestamp: '2026-01-01T00:00:00.000Z' },
      ],
    ]);
  });
});
