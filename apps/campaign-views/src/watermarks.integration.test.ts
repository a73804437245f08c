import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type ConsumerHandlers,
  type EventTimeMode,
  type KafkaPort,
  kafkajsPort,
  type OutgoingRecord,
  silentLogger,
  type Tributary,
} from '@tributary/core';
import { bootstrapServers, consumeAll, uniqueName, waitForCommittedToEnd } from '@tributary/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createCampaignViewsApp } from './app.js';
import { type Campaign, DEFAULT_CAMPAIGNS_CSV, readCampaigns } from './campaigns.js';
import { type GeneratedView, generateViews } from './generator.js';
import { groundTruth, type Truth } from './ground-truth.js';
import { loadCampaigns } from './producer.js';
import { readParquetRows } from './test-output.js';
import { ensureTopics } from './topics.js';

/**
 * Issue 15: a minute holds every view of that minute however the views arrive (live, in a burst,
 * partition after partition, as a backlog, with one partition slowed, across a crash); only views
 * older than grace are late. Ground truth comes from the generated JSON.
 */
const WATERMARK_HEADER = 'tributary-watermark';
const WATERMARK_STAMP_HEADER = 'tributary-wm';
const MINUTE = 60_000;
const running: Tributary[] = [];
const children: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  for (const app of running.splice(0)) await app.close().catch(() => {});
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

interface Setup {
  servers: string;
  input: string;
  campaignsTopic: string;
  campaigns: Campaign[];
}

async function setup(partitions = 3): Promise<Setup> {
  const servers = bootstrapServers();
  const input = uniqueName('wm_view_log');
  const campaignsTopic = uniqueName('wm_campaigns');
  const campaigns = await readCampaigns(DEFAULT_CAMPAIGNS_CSV);
  await ensureTopics({ bootstrapServers: servers, inputTopic: input, campaignsTopic, partitions });
  await loadCampaigns({ bootstrapServers: servers, topic: campaignsTopic, campaigns });
  return { servers, input, campaignsTopic, campaigns };
}

/** 50,000 views over 20 event-time minutes, 30 % a few seconds out of order, 1 % malformed, 5 late. */
function burst(campaigns: Campaign[], seed: number): GeneratedView[] {
  return [
    ...generateViews({
      count: 50_500,
      seed,
      campaigns,
      startMs: Date.UTC(2025, 10, 6, 12, 0, 0),
      spanMs: 20 * MINUTE,
      outOfOrder: 0.3,
      malformed: 0.01,
      late: 5,
    }),
  ];
}

/** Sends as fast as the broker takes them; to one partition, or by key when `partition` is unset. */
async function produce(servers: string, topic: string, views: readonly GeneratedView[], partition?: number) {
  const producer = kafkajsPort({ bootstrapServers: servers, logger: silentLogger }).producer({
    idempotent: true,
  });
  await producer.connect();
  try {
    for (let i = 0; i < views.length; i += 5000) {
      const batch: OutgoingRecord[] = views.slice(i, i + 5000).map((v) => ({
        topic,
        key: Buffer.from(v.key),
        value: Buffer.from(v.value),
        timestamp: Date.now(),
        headers: {},
        ...(partition !== undefined ? { partition } : {}),
      }));
      await producer.send(batch);
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Partition by partition, `gapMs` apart: the partitions' event times do not overlap in arrival. The
 * views an hour older than the rest go last, into the last partition: until every partition has
 * spoken the watermark waits, so before that even they would still be on time.
 */
async function producePartitionByPartition(s: Setup, views: readonly GeneratedView[], gapMs: number) {
  const onTime = views.filter((v) => v.kind !== 'late');
  for (let p = 0; p < 3; p++) {
    const part = onTime.filter((_v, i) => i % 3 === p);
    if (p === 2) part.push(...views.filter((v) => v.kind === 'late'));
    await produce(s.servers, s.input, part, p);
    if (p < 2) await sleep(gapMs);
  }
}

interface RunOptions {
  graceMs: number;
  idleTimeoutMs?: number;
  eventTime?: EventTimeMode;
  partitionIdleMs?: number;
  guarantee?: 'at-least-once' | 'exactly-once';
  kafka?: KafkaPort;
  outputDir?: string;
  applicationId?: string;
}

async function startApp(s: Setup, o: RunOptions) {
  const outputDir = o.outputDir ?? (await mkdtemp(join(tmpdir(), 'wm-out-')));
  const applicationId = o.applicationId ?? uniqueName('wm-app');
  const app = createCampaignViewsApp({
    bootstrapServers: s.servers,
    applicationId,
    inputTopic: s.input,
    campaignsTopic: s.campaignsTopic,
    outputDir,
    stateDir: await mkdtemp(join(tmpdir(), 'wm-state-')),
    graceMs: o.graceMs,
    ...(o.idleTimeoutMs !== undefined ? { idleTimeoutMs: o.idleTimeoutMs } : {}),
    ...(o.eventTime ? { eventTime: o.eventTime } : {}),
    ...(o.partitionIdleMs !== undefined ? { partitionIdleMs: o.partitionIdleMs } : {}),
    ...(o.guarantee ? { processingGuarantee: o.guarantee } : {}),
    ...(o.kafka ? { kafka: o.kafka } : {}),
    commitIntervalMs: 300,
    logger: silentLogger,
  });
  running.push(app);
  await app.start();
  return { app, outputDir, applicationId };
}

type Rows = Map<string, number[]>;

async function rowsIn(outputDir: string): Promise<{ rows: Rows; durations: Map<string, number> }> {
  const rows: Rows = new Map();
  const durations = new Map<string, number>();
  for (const r of await readParquetRows(outputDir)) {
    const k = `${r.campaign_id}@${r.minute_timestamp}`;
    rows.set(k, [...(rows.get(k) ?? []), r.view_count]);
    durations.set(k, r.avg_duration);
  }
  return { rows, durations };
}

/** Waits until every expected row is there (or the deadline), then returns what was written. */
async function awaitRows(outputDir: string, expected: ReadonlyMap<string, Truth>, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await rowsIn(outputDir);
    if ([...expected.keys()].every((k) => out.rows.has(k)) || Date.now() > deadline) return out;
    await sleep(1000);
  }
}

function expectExact(out: { rows: Rows; durations: Map<string, number> }, truth: ReadonlyMap<string, Truth>) {
  const duplicates = [...out.rows].filter(([, v]) => v.length > 1).map(([k]) => k);
  expect(duplicates).toEqual([]);
  const counts = Object.fromEntries([...out.rows].map(([k, v]) => [k, v[0]]));
  expect(counts).toEqual(Object.fromEntries([...truth].map(([k, t]) => [k, t.count])));
  for (const [k, t] of truth)
    expect(Math.abs((out.durations.get(k) ?? 0) - t.durSum / t.count)).toBeLessThan(1e-9);
}

/** The late topic holds exactly the views older than grace, and no topic a watermark record. */
async function expectLateAndDlq(s: Setup, sent: readonly GeneratedView[]) {
  const late = await consumeAll(`${s.input}-late`, { idleMs: 2000, timeoutMs: 30_000 });
  expect(late.map((r) => JSON.parse(r.value?.toString() ?? '{}').view_id).sort()).toEqual(
    sent
      .filter((v) => v.kind === 'late')
      .map((v) => v.key)
      .sort(),
  );
  const malformed = sent.filter((v) => v.kind === 'malformed');
  const dlq = await consumeAll(`${s.input}-dlq`, {
    count: malformed.length,
    idleMs: 2000,
    timeoutMs: 30_000,
  });
  expect(dlq.map((r) => r.value?.toString()).sort()).toEqual(malformed.map((v) => v.value).sort());
  for (const r of [...late, ...dlq]) {
    expect(r.headers[WATERMARK_HEADER]).toBeUndefined();
    expect(r.headers[WATERMARK_STAMP_HEADER]).toBeUndefined();
  }
}

describe('watermarks: campaign-views results do not depend on arrival order (3 partitions, real broker)', () => {
  it('a live burst at full speed, then the same topic as a backlog: both exact; only views older than grace are late', async () => {
    const s = await setup();
    const sent = burst(s.campaigns, 41);
    const truth = groundTruth(sent);
    const live = await startApp(s, { graceMs: 60_000, idleTimeoutMs: 3_000 });
    await produce(s.servers, s.input, sent);
    expect(await waitForCommittedToEnd(live.applicationId, s.input, 90_000)).toBe(true);
    expectExact(await awaitRows(live.outputDir, truth), truth);
    await live.app.close();
    await expectLateAndDlq(s, sent);

    // The same records read as a backlog by a fresh application id.
    const backlog = await startApp(s, { graceMs: 60_000, idleTimeoutMs: 3_000 });
    expect(await waitForCommittedToEnd(backlog.applicationId, s.input, 90_000)).toBe(true);
    expectExact(await awaitRows(backlog.outputDir, truth), truth);
    await backlog.app.close();
  });

  it('partition after partition, 2.5 s apart, grace 30 s: exact (stream-time makes a large share late)', async () => {
    const s = await setup();
    const sent = burst(s.campaigns, 42);
    const truth = groundTruth(sent);
    const run = await startApp(s, { graceMs: 30_000, idleTimeoutMs: 8_000 });
    await producePartitionByPartition(s, sent, 2_500);
    expect(await waitForCommittedToEnd(run.applicationId, s.input, 90_000)).toBe(true);
    expectExact(await awaitRows(run.outputDir, truth), truth);
    await run.app.close();
    await expectLateAndDlq(s, sent);

    // Control: Kafka Streams' clock on the same kind of arrival loses views to the late topic.
    const c = await setup();
    const control = await startApp(c, { graceMs: 30_000, idleTimeoutMs: 8_000, eventTime: 'stream-time' });
    await producePartitionByPartition(c, sent, 2_500);
    expect(await waitForCommittedToEnd(control.applicationId, c.input, 90_000)).toBe(true);
    await control.app.close();
    const late = await consumeAll(`${c.input}-late`, { idleMs: 2000, timeoutMs: 30_000 });
    expect(late.length).toBeGreaterThan(5_000);
  });

  it('two instances, one of them slowed on one partition: exact', async () => {
    const s = await setup();
    const sent = burst(s.campaigns, 43);
    const truth = groundTruth(sent);
    const outputDir = await mkdtemp(join(tmpdir(), 'wm-out-'));
    const applicationId = uniqueName('wm-two');
    await startApp(s, { graceMs: 30_000, idleTimeoutMs: 5_000, outputDir, applicationId });
    await startApp(s, {
      graceMs: 30_000,
      idleTimeoutMs: 5_000,
      outputDir,
      applicationId,
      kafka: slowedPort(s.servers, 40),
    });
    await sleep(3000); // let the group settle on both members
    await produce(s.servers, s.input, sent);
    expect(await waitForCommittedToEnd(applicationId, s.input, 120_000)).toBe(true);
    expectExact(await awaitRows(outputDir, truth), truth);
    for (const app of running.splice(0)) await app.close();
    await expectLateAndDlq(s, sent);
  });

  it('exactly-once, an instance SIGKILLed mid-burst and restarted: exact, no watermark record in any output', async () => {
    const s = await setup();
    const sent = burst(s.campaigns, 44);
    const truth = groundTruth(sent);
    const outputDir = await mkdtemp(join(tmpdir(), 'wm-eos-out-'));
    const stateDir = await mkdtemp(join(tmpdir(), 'wm-eos-state-'));
    const applicationId = uniqueName('wm-eos');
    const start = () => spawnStreams(s, { outputDir, stateDir, applicationId });
    let child = start();
    await sleep(6000); // started and assigned
    const producing = produce(s.servers, s.input, sent);
    await sleep(1500);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await producing;
    child = start();
    expect(await waitForCommittedToEnd(applicationId, s.input, 120_000)).toBe(true);
    expectExact(await awaitRows(outputDir, truth), truth);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await expectLateAndDlq(s, sent);
  });

  it('a partition that never receives data stops holding windows after partitionIdleMs', async () => {
    const s = await setup();
    const sent = [
      ...generateViews({
        count: 6_000,
        seed: 45,
        campaigns: s.campaigns,
        startMs: Date.UTC(2025, 10, 6, 12, 0, 0),
        spanMs: 5 * MINUTE,
        outOfOrder: 0.3,
      }),
    ];
    // No idle close of windows: only the watermark can close them, and partition 2 stays empty.
    // Partitions 0 and 1 get a chunk every 300 ms, a live stream that never idles for 3 s.
    const run = await startApp(s, { graceMs: 10_000, partitionIdleMs: 3_000 });
    const producer = kafkajsPort({ bootstrapServers: s.servers, logger: silentLogger }).producer({
      idempotent: true,
    });
    await producer.connect();
    for (let i = 0; i < sent.length; i += 200) {
      await producer.send(
        sent.slice(i, i + 200).map((v, j) => ({
          topic: s.input,
          partition: (i + j) % 2,
          key: Buffer.from(v.key),
          value: Buffer.from(v.value),
          timestamp: Date.now(),
          headers: {},
        })),
      );
      await sleep(300);
    }
    await producer.disconnect();
    // The watermark reaches the smaller of the two partitions' largest event times.
    const maxOf = (views: GeneratedView[]) => Math.max(...views.map((v) => eventTime(v)));
    const watermark = Math.min(
      maxOf(sent.filter((_v, i) => i % 2 === 0)),
      maxOf(sent.filter((_v, i) => i % 2 === 1)),
    );
    const all = groundTruth(sent);
    // Exactly the minutes whose end plus grace the watermark has reached.
    const closed = new Map([...all].filter(([, t]) => t.minute + MINUTE + 10_000 <= watermark));
    expect(closed.size).toBeGreaterThan(all.size / 2);
    const out = await awaitRows(run.outputDir, closed);
    await run.app.close();
    expectExact(out, closed);
  });
});

/** A view's event time, parsed here (not with the app's parser): epoch ms, ISO, or 'YYYY-MM-DD HH:MM:SS' UTC. */
function eventTime(v: GeneratedView): number {
  const t = (JSON.parse(v.value) as { start_timestamp: number | string }).start_timestamp;
  return typeof t === 'number' ? t : Date.parse(t.includes('T') ? t : `${t.replace(' ', 'T')}Z`);
}

/** The default port, with every batch of the first partition this instance is given delayed. */
function slowedPort(servers: string, delayMs: number): KafkaPort {
  const base = kafkajsPort({ bootstrapServers: servers, logger: silentLogger });
  return {
    ...base,
    admin: () => base.admin(),
    producer: (o) => base.producer(o),
    changelogReader: () => base.changelogReader(),
    tailer: (o) => base.tailer(o),
    consumer: (o) => {
      const c = base.consumer(o);
      return {
        groupId: c.groupId,
        connect: () => c.connect(),
        subscribe: (t) => c.subscribe(t),
        commit: (offs) => c.commit(offs),
        seek: (offs) => c.seek(offs),
        disconnect: () => c.disconnect(),
        run: (h: ConsumerHandlers) => {
          let slowed: number | undefined;
          return c.run({
            ...h,
            onAssigned: (a) => {
              slowed = a.length > 0 ? Math.min(...a.map((tp) => tp.partition)) : undefined;
              h.onAssigned(a);
            },
            onBatch: async (records, heartbeat, hw, isStale) => {
              if (records[0]?.partition === slowed) await sleep(delayMs);
              return h.onBatch(records, heartbeat, hw, isStale);
            },
          });
        },
      };
    },
  };
}

function spawnStreams(
  s: Setup,
  o: { outputDir: string; stateDir: string; applicationId: string },
): ChildProcess {
  const repoRoot = resolve(import.meta.dirname, '../../..');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'apps/campaign-views/src/main.ts'),
      'streams',
      '--bootstrap-servers',
      s.servers,
      '--input-topic',
      s.input,
      '--campaigns-topic',
      s.campaignsTopic,
      '--output',
      o.outputDir,
      '--state-dir',
      o.stateDir,
      '--application-id',
      o.applicationId,
      '--guarantee',
      'exactly-once',
      '--grace-ms',
      '60000',
      '--idle-timeout-ms',
      '3000',
      '--commit-interval-ms',
      '200',
      '--log-level',
      'warn',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(child);
  return child;
}
