/**
 * Drain benchmark: Tributary vs Kafka Streams (Java) vs a raw kafkajs consumer, same broker, same data,
 * same machine. Every peer runs as a child process; wall time runs from spawn until all its output is
 * committed; CPU-seconds and peak RSS come from /proc/<pid>/{stat,status} sampled at that moment.
 *
 *   npx tsx bench/src/run-suite.ts [--records N] [--partitions P] [--runs 3] [--quick] [--full]
 *       [--peers id,id,...] [--campaigns 1000] [--timeout-s S] [--no-build] [--tsx-peers]
 *
 * The build step (skipped by --no-build) packages the Kafka Streams peer with Maven and bundles the
 * Node peers (tools/build/build.ts, bench/dist/peers/*.js), which then run under plain `node`;
 * --tsx-peers runs those from source through tsx instead.
 * --quick = 200,000 records, 4 partitions; --full = 5,000,000 records, 8 partitions. The peers table is
 * suite/peers.ts, one run of a peer suite/runner.ts, the correctness gates suite/gate.ts and the report
 * suite/report.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCliOrExit } from '@tributary/app-kit';
import { parseSuiteCli, SUITE_CLI } from './cli.js';
import { type DataSet, groundTruth, kafka } from './common.js';
import { ensureData } from './generate.js';
import { clickRecords, ensureClickData, type JoinTruth, joinTruth } from './join-data.js';
import { BENCH, KS_DIR, type NodePeers, neededBundles, PEERS } from './suite/peers.js';
import { fmt, writeReport } from './suite/report.js';
import { type RunResult, runOnce } from './suite/runner.js';
import { sleep } from './suite/topics.js';

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

async function main(): Promise<void> {
  // Flags first: a bad one exits 2 here, before the broker is touched.
  const { values: a } = parseCliOrExit(SUITE_CLI.usage, () => parseSuiteCli(process.argv.slice(2)));
  const quick = a.quick;
  const fullSize = a.full;
  const d: DataSet = {
    records: a.records ?? (fullSize ? 5_000_000 : 200_000),
    partitions: a.partitions ?? (fullSize ? 8 : 4),
    campaigns: a.campaigns,
  };
  const runs = a.runs;
  const only = a.peers.length > 0 ? a.peers : undefined;
  const peers = only ? PEERS.filter((p) => only.includes(p.id)) : PEERS;
  const k = kafka('bench-suite');
  const nodePeers: NodePeers = a['tsx-peers'] ? 'tsx' : 'dist';
  const opts = {
    d,
    k,
    timeoutS: a['timeout-s'] ?? Math.max(180, d.records / 5_000),
    commitAlo: a['commit-ms'],
    commitEos: a['commit-ms-eos'],
    javaOpts: (process.env.KS_JAVA_OPTS ?? '-Xms256m -Xmx1g -XX:+UseG1GC').split(' '),
    nodePeers,
  };
  const command = `npx tsx bench/src/run-suite.ts ${process.argv.slice(2).join(' ')}`.trim();
  log(
    `suite: ${d.records} records, ${d.partitions} partitions, ${d.campaigns} campaigns, ${runs} runs, peers ${peers.map((p) => p.id).join(',')}${quick ? ' (quick)' : ''}`,
  );

  if (!a['no-build'] && peers.some((p) => p.system === 'kstreams')) {
    log('building the Kafka Streams peer (mvn)');
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        `${KS_DIR}/pom.xml`,
        'package',
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${KS_DIR}/target/lib`,
      ],
      { stdio: 'inherit' },
    );
  }
  const bundles = neededBundles(peers, opts.nodePeers);
  if (!a['no-build'] && bundles.length > 0) {
    log('bundling the Node peers (tools/build/build.ts bench/)');
    execFileSync(process.execPath, ['--import', 'tsx', 'tools/build/build.ts', '--quiet', 'bench/'], {
      cwd: path.resolve(BENCH, '..'),
      stdio: 'inherit',
    });
  }
  const missing = bundles.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    // Before the broker is touched, like a bad flag.
    console.error(
      `missing ${missing.map((f) => path.relative(process.cwd(), f)).join(', ')}: run \`pnpm build\`, or drop --no-build, or add --tsx-peers`,
    );
    process.exit(2);
  }
  await ensureData(d, log);
  const truth = groundTruth(d);
  let join: JoinTruth | undefined;
  if (peers.some((p) => p.kind === 'join')) {
    const clicks = clickRecords(d);
    await ensureClickData(k, d, clicks, log);
    join = joinTruth(d, clicks);
    log(
      `join ground truth: ${join.views} views + ${join.clicks} clicks, ${join.pairs.size} (view, click) pairs, ${join.malformed} malformed`,
    );
  }
  const ctx = { ...opts, truth, ...(join ? { join } : {}) };
  log(
    `ground truth: ${truth.valid} valid, ${truth.malformed} malformed, ${truth.windows.size} (campaign, minute) windows`,
  );

  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const p of peers) {
      const r = await runOnce(p, run, ctx);
      results.push(r);
      log(
        `${p.id} run ${run}: ${r.ok ? 'OK' : 'FAILED'} ${fmt(r.wallS, 1)} s, ${fmt(r.recPerS)} rec/s${r.drainS !== undefined ? ` (drained in ${fmt(r.drainS, 1)} s)` : ''}, cpu ${fmt(r.cpuS, 1)} s, rss ${fmt(r.rssMb)} MB; ${r.error ?? r.gate}`,
      );
      await sleep(1000);
    }
  }

  const stem = writeReport({
    d,
    truth,
    ...(join ? { join } : {}),
    runs,
    quick,
    suffix: a.suffix,
    command,
    commitAlo: ctx.commitAlo,
    commitEos: ctx.commitEos,
    javaOpts: ctx.javaOpts,
    nodePeers: ctx.nodePeers,
    peers,
    results,
  });
  log(`wrote ${stem}.md, ${stem}.png, ${stem}.json`);
  console.log(readFileSync(`${stem}.md`, 'utf8'));
  process.exit(0);
}

await main();
