import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function localBrokerSettings(): Map<string, string> {
  // The settings kafka.sh writes for a single node, read from its heredoc (values with $ are per-run).
  const script = readFileSync(resolve(root, 'tools/kafka/kafka.sh'), 'utf8');
  const body = script.split('<<CONF')[1]?.split('\nCONF')[0] ?? '';
  const settings = new Map<string, string>();
  for (const line of body.split('\n')) {
    const m = /^([a-z.]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) settings.set(m[1], m[2]);
  }
  return settings;
}

describe('docker/docker-compose.yml', () => {
  const compose = parse(readFileSync(resolve(root, 'docker/docker-compose.yml'), 'utf8'));
  const kafka = compose.services.kafka;

  it('runs apache/kafka 4.x in KRaft combined mode', () => {
    expect(kafka.image).toMatch(/^apache\/kafka:4\.\d+\.\d+$/);
    expect(kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });

  it('uses the same single-node settings as the local broker', () => {
    const local = localBrokerSettings();
    expect(local.size).toBeGreaterThan(10);
    const shared = [
      'auto.create.topics.enable',
      'group.initial.rebalance.delay.ms',
      'transaction.state.log.min.isr',
      'log.cleaner.dedupe.buffer.size',
      'log.retention.ms',
    ];
    for (const key of shared) {
      const envName = `KAFKA_${key.replaceAll('.', '_').toUpperCase()}`;
      expect(kafka.environment[envName], envName).toBeDefined();
      const localValue = local.get(key) ?? '';
      // Values that kafka.sh computes per cluster size are "$isr"-style; compare the single-node value.
      const expected = localValue.startsWith('$') ? '1' : localValue;
      expect(String(kafka.environment[envName]), envName).toBe(expected);
    }
    for (const key of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor']) {
      expect(kafka.environment[`KAFKA_${key.replaceAll('.', '_').toUpperCase()}`]).toBe('1');
    }
  });

  it('publishes the same client port as the local broker and points the apps at the broker', () => {
    expect(kafka.ports).toContain('19092:19092');
    for (const app of ['campaign-views', 'voters', 'events-archive']) {
      expect(compose.services[app].environment.KAFKA_BOOTSTRAP_SERVERS).toBe('kafka:29092');
      expect(compose.services[app].depends_on.kafka.condition).toBe('service_healthy');
    }
  });
});
