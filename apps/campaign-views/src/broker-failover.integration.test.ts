import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Serdes, Tributary, WATERMARK_HEADER } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import {
  consumeAll,
  createTopics,
  killClusterNode,
  produceAll,
  restartClusterNode,
  startLocalBroker,
  stopLocalBroker,
  testKafka,
  testLogger,
  uniqueName,
  waitForCommittedToEnd,
  withAdmin,
} from '@tributary/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGNS_CSV, readCampaigns } from './campaigns.js';
import type { GeneratedView } from './generator.js';
import { groundTruth, truthCounts } from './ground-truth.js';
import { loadCampaigns, produceViews } from './producer.js';
import { countsByKey } from './test-output.js';
import { ensureTopics } from './topics.js';
import { buildCampaignViewsTopology } from './topology.js';

type Kafka = ReturnType<typeof testKafka>;

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
function transactionsReport(servers: string, topics: string[]): string {
  try {
    return execFileSync(
      'java',
      ['-cp', `${repoRoot}.kafka/libs/*`, `${repoRoot}tools/kafka/Transactions.java`, servers, ...topics],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
  } catch (err) {
    return `transactions report failed: ${String(err)}`;
  }
}

// Issue 7: on the 3-node cluster (RF 3, min ISR 2), kill -9 of a broker mid-run under exactly-once
// loses and duplicates no (campaign, minute) row.
//
// Event time here runs about 40x faster than wall time (one event minute per ~1.5 s of producing).
// The failover stalls the tasks whose partition leader or transaction coordinator was on the killed
// node for several wall seconds, i.e. several event minutes, while the other tasks move stream time
// on. With a grace of one event minute, views of the stalled tasks were correctly routed to the late
// side output (2,388 of 12,000 in one run, every one accounted for), which an earlier version of this
// test misread as loss. So the grace covers the stall (as a real deployment's grace covers a broker
// failover in wall time), and the test asserts both: no view is late, and the output is exact.
// The same holds for the idle-close timeout (IDLE_CLOSE_MS).

/** The node leading most partitions of `topics`. */
async function busiestLeader(kafka: Kafka, topics: string[]): Promise<1 | 2 | 3> {
  const meta = await withAdmin((admin) => admin.fetchTopicMetadata({ topics }), kafka);
  const led = new Map<number, number>();
  for (const t of meta.topics) for (const p of t.partitions) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
  const [node] = [...led].sort((a, b) => b[1] - a[1])[0] ?? [1];
  return (node === 2 || node === 3 ? node : 1) as 1 | 2 | 3;
}

/**
 * On wrong counts: whether the extra views came twice through the repartition topic (an upstream
 * task's output committed twice) or once (the aggregate counted a record twice). Watermark records
 * are left out: they repeat by design.
 */
async function repartitionDuplicates(kafka: Kafka, topic: string): Promise<string> {
  const records = await consumeAll(topic, { idleMs: 3000, timeoutMs: 30_000, readCommitted: true, kafka });
  const byView = new Map<string, string[]>();
  const serde = Serdes.msgpack<{ view_id: string }>();
  let data = 0;
  for (const r of records) {
    if (r.headers[WATERMARK_HEADER] !== undefined || r.value === null) continue;
    data += 1;
    const id = serde.deserialize(r.value).view_id;
    byView.set(id, [...(byView.get(id) ?? []), `${r.partition}@${r.offset}`]);
  }
  const dups = [...byView].filter(([, at]) => at.length > 1);
  return `${topic}: ${data} data records, ${byView.size} views, ${dups.length} twice or more; first: ${dups
    .slice(0, 8)
    .map(([id, at]) => `${id} at ${at.join(',')}`)
    .join('; ')}`;
}

const running: Tributary[] = [];
/** 30 event minutes = ~45 s of wall time here: longer than the stall a broker failover causes. */
const GRACE_MS = 30 * 60_000;
/**
 * Idle close is a wall-clock rule: it cannot see that a partition's leader or an upstream task's
 * transaction coordinator is failing over, so with 2 s it closed minute 09:00 early in one of three
 * runs (32 views late, all accounted for). It too must outlast the failover stall, and with 20 s it
 * did not once: a rebalance during the failover paused processing for 28 s (694 views late).
 */
const IDLE_CLOSE_MS = 45_000;

describe('broker failover (3-node cluster, exactly-once)', () => {
  let servers = '';
  let kafka: Kafka;
  beforeAll(async () => {
    servers = await startLocalBroker(3);
    kafka = testKafka({
      brokers: servers.split(','),
      retry: { retries: 20, initialRetryTime: 200, maxRetryTime: 3000 },
    });
  });
  afterEach(async () => {
    for (const app of running.splice(0)) await app.close().catch(() => {});
  });
  afterAll(async () => {
    await stopLocalBroker(3);
  });

  it('kill -9 of a partition leader mid-run loses and duplicates nothing', async () => {
    const log = (msg: string) => console.log(`[broker-failover] ${msg}`);
    const t0 = Date.now();
    const input = uniqueName('view_log');
    const campaignsTopic = uniqueName('campaigns');
    const output = uniqueName('minutes');
    const applicationId = uniqueName('failover-eos');
    const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
    await ensureTopics({ bootstrapServers: servers, inputTopic: input, campaignsTopic, partitions: 6 });
    await createTopics([{ name: output, partitions: 6, replicationFactor: 3 }], kafka);
    await loadCampaigns({ bootstrapServers: servers, topic: campaignsTopic, campaigns });

    const startInstance = async (instance: string) => {
      const app = new Tributary(
        buildCampaignViewsTopology({
          inputTopic: input,
          campaignsTopic,
          output: { kind: 'topic', topic: output },
          graceMs: GRACE_MS,
          idleTimeoutMs: IDLE_CLOSE_MS,
        }),
        {
          applicationId,
          bootstrapServers: servers,
          stateBackend: levelDbBackend({ stateDir: await mkdtemp(join(tmpdir(), 'failover-')) }),
          processingGuarantee: 'exactly-once',
          replicationFactor: 3,
          commitIntervalMs: 300,
          errorPolicy: { mode: 'dead-letter' },
          logger: testLogger().child({ instance }),
        },
      );
      running.push(app);
      app.done.catch((err: unknown) => log(`instance stopped with error: ${String(err)}`));
      await app.start();
      return app;
    };
    const instances = [await startInstance('A'), await startInstance('B')];

    const internal = await withAdmin((admin) => admin.listTopics(), kafka);
    const victim = await busiestLeader(kafka, [
      input,
      ...internal.filter((t) => t.startsWith(applicationId)),
    ]);

    const startMs = Date.UTC(2025, 10, 6, 9, 0, 0);
    const sent: GeneratedView[] = [];
    for (let c = 0; c < 8; c++) {
      sent.push(
        ...(await produceViews({
          bootstrapServers: servers,
          topic: input,
          campaigns,
          count: 1500,
          seed: 700 + c,
          startMs: startMs + c * 60_000,
          spanMs: 60_000,
          malformed: 0.01,
          idempotent: false,
        })),
      );
      if (c === 2) {
        log(`killing node ${victim} at ${Date.now() - t0} ms`);
        await killClusterNode(victim);
      }
      if (c === 5) {
        log(`restarting node ${victim} at ${Date.now() - t0} ms`);
        await restartClusterNode(victim);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    // One view an hour later on every input partition: event time passes the end of every window
    // plus the grace, so the last minutes close now instead of after the idle-close timeout (45 s of
    // test time). The tick views are not in the ground truth and their own minute is left out.
    const tickMs = startMs + 60 * 60_000;
    await produceAll(
      input,
      Array.from({ length: 6 }, (_, partition) => ({
        key: `tick-${partition}`,
        partition,
        value: JSON.stringify({
          view_id: `tick-${partition}`,
          start_timestamp: tickMs,
          end_timestamp: tickMs + 1000,
          banner_id: 1,
          campaign_id: campaigns[0]?.campaign_id ?? 1,
        }),
      })),
      { kafka, idempotent: false }, // harmless if a retry writes a tick twice
    );
    log(`produced ${sent.length} views and 6 ticks at ${Date.now() - t0} ms`);
    expect(await waitForCommittedToEnd(applicationId, input, 180_000, kafka)).toBe(true);
    log(`committed to the end at ${Date.now() - t0} ms`);

    const sentTruth = truthCounts(groundTruth(sent));
    let rows = new Map<string, number[]>();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const records = await consumeAll(output, {
        idleMs: 2000,
        timeoutMs: 30_000,
        readCommitted: true,
        kafka,
      });
      rows = countsByKey(records);
      for (const k of rows.keys()) if (k.endsWith(`@${tickMs}`)) rows.delete(k);
      if ([...sentTruth.keys()].every((k) => rows.has(k))) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const app of instances) await app.close();
    log(`read ${rows.size} output keys at ${Date.now() - t0} ms`);
    if (![...sentTruth.keys()].every((k) => rows.has(k))) {
      // Which partitions hold readers back: last stable offset against high watermark, open transactions.
      const topics = [output, input, ...internal.filter((t) => t.startsWith(applicationId))];
      log(`transactions:\n${transactionsReport(servers, topics)}`);
    }

    // The ground truth is the input log itself: the test's producer is not idempotent (an idempotent
    // kafkajs producer cannot even connect while the node its metadata names as controller is down),
    // so a send retried across the kill may write views twice, and the app must count both.
    const logged = await consumeAll(input, { idleMs: 3000, timeoutMs: 30_000, kafka });
    const validValues = new Set(sent.filter((v) => v.kind === 'valid').map((v) => v.value));
    const truth = truthCounts(
      groundTruth(
        logged
          .map((r) => r.value?.toString() ?? '')
          .filter((v) => validValues.has(v))
          .map((value) => ({ key: '', value, kind: 'valid' as const })),
      ),
    );
    const inputDiff = [...new Set([...sentTruth.keys(), ...truth.keys()])].filter(
      (k) => sentTruth.get(k) !== truth.get(k),
    );
    log(
      `input log: ${logged.length} records for ${sent.length} sent; keys counted differently: ${inputDiff.length}`,
    );
    expect(logged.length).toBeGreaterThanOrEqual(sent.length);
    expect([...truth.keys()].sort()).toEqual([...sentTruth.keys()].sort());

    // Every valid view is in the output or in the late side output: nothing vanishes.
    const late = await consumeAll(`${input}-late`, {
      idleMs: 2000,
      timeoutMs: 10_000,
      readCommitted: true,
      kafka,
    });
    const lateByKey = new Map<string, number>();
    for (const r of late) {
      const ts = Number(r.timestamp);
      const k = `${(JSON.parse(r.value?.toString() ?? '{}') as { campaign_id: number }).campaign_id}@${ts - (ts % 60_000)}`;
      lateByKey.set(k, (lateByKey.get(k) ?? 0) + 1);
    }
    const unaccounted = [...truth]
      .filter(([k, n]) => (rows.get(k)?.[0] ?? 0) + (lateByKey.get(k) ?? 0) !== n)
      .map(([k, n]) => `${k}: ${rows.get(k)?.[0] ?? 0} + ${lateByKey.get(k) ?? 0} late != ${n}`);
    log(`late views: ${late.length}; views neither in the output nor late: ${unaccounted.length} keys`);

    const missing = [...truth.keys()].filter((k) => !rows.has(k));
    const duplicates = [...rows].filter(([, v]) => v.length > 1).map(([k, v]) => `${k}: ${v.join(',')}`);
    const wrong = [...truth]
      .filter(([k, n]) => rows.has(k) && rows.get(k)?.[0] !== n)
      .map(([k, n]) => `${k}: ${rows.get(k)?.[0]} != ${n}`);
    const extra = [...rows.keys()].filter((k) => !truth.has(k));
    const byMinute = new Map<string, number>();
    for (const k of missing) {
      const m = new Date(Number(k.split('@')[1])).toISOString().slice(11, 16);
      byMinute.set(m, (byMinute.get(m) ?? 0) + 1);
    }
    log(`wrong counts (got != truth), first 10: ${wrong.slice(0, 10).join('; ')}`);
    if (wrong.length > 0) {
      const all = await withAdmin((admin) => admin.listTopics(), kafka);
      for (const t of all.filter((t) => t.startsWith(applicationId) && t.endsWith('-repartition')))
        log(`repartition: ${await repartitionDuplicates(kafka, t)}`);
    }
    log(`missing by minute: ${JSON.stringify(Object.fromEntries(byMinute))} of ${truth.size} keys`);
    log(
      `missing ${missing.length}, duplicated ${duplicates.length}, wrong ${wrong.length}, extra ${extra.length}`,
    );
    expect({ lateViews: late.length, unaccounted, missing, duplicates, wrong, extra }).toEqual({
      lateViews: 0,
      unaccounted: [],
      missing: [],
      duplicates: [],
      wrong: [],
      extra: [],
    });
  }, 300_000);
});
