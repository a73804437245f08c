/// <reference lib="dom" />
// The page functions below run in the browser.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { PartitionLag } from '../internal/runtime/partition-queues.js';
import type { TaskManager } from '../internal/runtime/task-manager.js';
import { silentLogger } from '../logger.js';
import { Operations } from '../operations.js';
import { queryTopology } from '../query/query-fixture.js';
import { loopbackPort } from './loopback-port.js';

/** Chromium from the OS packages (scripts/setup.sh installs it); CHROMIUM_PATH overrides. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), '.test-results');

const PARTITIONS = 6;
const open: Operations[] = [];

async function startOperations(token?: string) {
  const lags: PartitionLag[] = Array.from({ length: PARTITIONS }, (_, p) => ({
    topic: 'in',
    partition: p,
    taskId: `0_${p}`,
    lag: p * 111,
  }));
  const taskIds = lags.map((l) => l.taskId);
  const tasks = {
    tasks: new Map(taskIds.map((id) => [id, {}])),
    assignedTaskIds: () => new Set(taskIds),
    restoringTaskIds: () => [],
    lags: () => lags,
  } as unknown as TaskManager;
  const ops = new Operations({
    applicationId: 'status-app',
    topology: queryTopology(),
    applicationServer: undefined,
    server: { port: 0, ...(token ? { token } : {}) },
    replicationFactor: 1,
    logger: silentLogger,
    clock: { now: () => Date.now() },
    state: () => 'running',
    tasks: () => tasks,
    taskCount: () => PARTITIONS,
    globalStore: () => undefined,
    counters: () => ({ processed: 12_345, deserializationErrors: 1, deadLettered: 1 }),
  });
  open.push(ops);
  ops.onRecordFailed({
    stage: 'deserialization',
    action: 'dead-lettered',
    taskId: '0_2',
    topic: 'in',
    partition: 2,
    offset: 17n,
    error: 'JSON parse failed: Unexpected token',
    deadLetterTopic: 'in-dlq',
  });
  await ops.start(loopbackPort());
  return ops;
}

afterEach(async () => {
  for (const ops of open.splice(0)) await ops.stop();
});

describe('status page in headless Chromium', () => {
  it('loads without console errors, shows every partition and instance, fits a laptop screen', async () => {
    expect(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run scripts/setup.sh`).toBe(true);
    const token = 'page-token';
    const ops = await startOperations(token);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      // The page itself is protected too: the token rides along in the query string for it.
      const denied = await fetch(`http://${ops.applicationServer}/`);
      expect(denied.status).toBe(401);
      await page.goto(`http://${ops.applicationServer}/?token=${token}`);
      await page.waitForFunction((n) => document.querySelectorAll('#partitions tr').length === n, PARTITIONS);
      const rows = await page.$$eval('#partitions tr', (trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
      );
      expect(rows.map((r) => r.slice(0, 3))).toEqual(
        Array.from({ length: PARTITIONS }, (_, p) => ['in', String(p), `0_${p}`]),
      );
      expect(await page.textContent('#state')).toBe('running');
      expect(await page.textContent('#instances')).toContain(ops.applicationServer as string);
      expect(await page.textContent('#instances')).toContain('0_5');
      expect(await page.textContent('#dlq')).toContain('JSON parse failed');
      expect(await page.textContent('#dlq')).toContain('dead-lettered (deserialization)');
      expect(await page.textContent('#dlq')).toContain('in-2@17');
      expect(await page.textContent('#topology')).toContain('Sub-topology');
      expect((await page.textContent('#lagTotal'))?.replace(/\D/g, '')).toBe(String(111 * 15));
      // A second poll draws the chart's lines.
      await page.waitForFunction(() =>
        (document.getElementById('lagLine')?.getAttribute('points') ?? '').includes(' '),
      );
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
