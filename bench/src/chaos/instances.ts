/**
 * campaign-views `streams` child processes for the chaos harness: spawn with a log file, SIGKILL,
 * SIGTERM, and wait for exit. Children run `node --import tsx apps/campaign-views/src/main.ts` directly
 * (not through `npx tsx`, which would put a wrapper process between the signal and the app).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

export interface InstanceConfig {
  repoRoot: string;
  logDir: string;
  bootstrapServers: string;
  inputTopic: string;
  campaignsTopic: string;
  partitions: number;
  outputDir: string;
  applicationId: string;
  guarantee: string;
  graceMs: number;
  idleTimeoutMs: number;
  commitIntervalMs: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Instance {
  /** How many times this instance has been started (log file per start). */
  gen = 0;
  proc: ChildProcess | undefined;
  exited: Promise<Exit> | undefined;
  alive = false;
  startedAt = 0;
  readonly logs: { file: string; wiped: boolean; gen: number }[] = [];

  constructor(
    readonly name: string,
    readonly stateDir: string,
    private readonly cfg: InstanceConfig,
  ) {}

  start(wiped = false): void {
    this.gen += 1;
    const c = this.cfg;
    const file = join(c.logDir, `${this.name}-g${this.gen}.log`);
    this.logs.push({ file, wiped, gen: this.gen });
    const fd = openSync(file, 'a');
    const args = [
      '--import',
      'tsx',
      join(c.repoRoot, 'apps/campaign-views/src/main.ts'),
      'streams',
      '--bootstrap-servers',
      c.bootstrapServers,
      '--input-topic',
      c.inputTopic,
      '--campaigns-topic',
      c.campaignsTopic,
      '--partitions',
      String(c.partitions),
      '--output',
      c.outputDir,
      '--state-dir',
      this.stateDir,
      '--application-id',
      c.applicationId,
      '--guarantee',
      c.guarantee,
      '--grace-ms',
      String(c.graceMs),
      '--idle-timeout-ms',
      String(c.idleTimeoutMs),
      '--commit-interval-ms',
      String(c.commitIntervalMs),
      '--log-level',
      'info',
    ];
    const proc = spawn(process.execPath, args, { cwd: c.repoRoot, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.proc = proc;
    this.alive = true;
    this.startedAt = Date.now();
    this.exited = new Promise<Exit>((resolve) => {
      proc.once('exit', (code, signal) => {
        if (this.proc === proc) this.alive = false;
        resolve({ code, signal });
      });
    });
  }

  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<Exit> {
    const p = this.proc;
    const exited = this.exited;
    if (!p || !exited || !this.alive) return Promise.resolve({ code: null, signal: null });
    p.kill(signal);
    return exited;
  }

  /** SIGTERM, and SIGKILL after `timeoutMs` if the process has not exited by then. */
  async stop(timeoutMs: number): Promise<Exit & { timedOut: boolean }> {
    const exited = this.exited;
    if (!exited || !this.alive) return { code: null, signal: null, timedOut: false };
    this.proc?.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), timeoutMs);
    });
    const r = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (r === 'timeout') {
      this.proc?.kill('SIGKILL');
      return { ...(await exited), timedOut: true };
    }
    return { ...r, timedOut: false };
  }
}
