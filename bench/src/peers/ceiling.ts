/**
 * The ceiling: a raw kafkajs consumer loop (eachBatch) that only decodes and JSON-parses the input
 * topic, no state, no commits. Exits by itself after `--expect` records and prints its counts and
 * process.resourceUsage().
 *
 *   node bench/dist/peers/ceiling.js --input-topic T --expect N --group G
 *
 * (the bundle `pnpm build` writes; from source: `node --import tsx bench/src/peers/ceiling.ts ...`)
 */
import { parseCliOrExit, parseFlags } from '@tributary/app-kit';
import { KAFKAJS_CONSUMER_FETCH } from '@tributary/core';
import { Kafka, logLevel } from 'kafkajs';
import { CEILING_CLI, need } from '../cli.js';

const { values: a } = parseCliOrExit(CEILING_CLI.usage, () => {
  const parsed = parseFlags(CEILING_CLI, process.argv.slice(2));
  need(parsed.values.expect, 'expect');
  return parsed;
});
const input = a['input-topic'];
const expect = a.expect as number;
const kafka = new Kafka({
  clientId: 'bench-ceiling',
  brokers: a['bootstrap-servers'].split(','),
  logLevel: logLevel.WARN,
});
// The fetch settings of the Tributary runtime's consumer (the peer this run bounds), read from core so
// the two cannot drift apart: 1 MiB per partition, 250 ms max wait.
const consumer = kafka.consumer({ groupId: a.group, ...KAFKAJS_CONSUMER_FETCH });
const emit = (o: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ ...o, t: Date.now() })}\n`);

let seen = 0;
let parsed = 0;
let failed = 0;
let done = false;
await consumer.connect();
await consumer.subscribe({ topic: input, fromBeginning: true });
emit({ event: 'started' });
await consumer.run({
  autoCommit: false,
  eachBatch: async ({ batch }) => {
    for (const m of batch.messages) {
      seen++;
      try {
        const v = JSON.parse((m.value as Buffer).toString('utf8'));
        if (v !== null) parsed++;
      } catch {
        failed++;
      }
    }
    if (seen >= expect && !done) {
      done = true;
      emit({ event: 'done', seen, parsed, failed, rusage: process.resourceUsage() });
      setImmediate(async () => {
        await consumer.disconnect().catch(() => {});
        emit({ event: 'stopped', seen, parsed, failed, rusage: process.resourceUsage() });
        process.exit(0);
      });
    }
  },
});
