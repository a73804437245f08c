/**
 * A peer child process of the bench: spawned with its stdout split into lines and the tail of its
 * stderr kept, sampled from /proc for CPU and peak RSS, stopped with SIGTERM (SIGKILL after 30 s).
 * Several of them make one run when a peer runs as several instances of one application id.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sleep } from './topics.js';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export interface ProcSample {
  cpuS: number;
  rssMb: number;
}

/** utime + stime and VmHWM of a live process, or undefined once it is gone. */
export function procSample(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime, stime (fields 14, 15)
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpuS, rssMb: hwm ? Number(hwm[1]) / 1024 : 0 };
  } catch {
    return undefined;
  }
}

/**
 * The processes of one run as one figure: CPU is the sum over the processes (the work the run cost),
 * peak RSS the largest single process (what one instance needs) and their sum (what the machine held).
 */
export function aggregateSamples(samples: readonly ProcSample[]): {
  cpuS: number;
  rssMb: number;
  rssSumMb: number;
} {
  let cpuS = 0;
  let rssMb = 0;
  let rssSumMb = 0;
  for (const s of samples) {
    cpuS += s.cpuS;
    rssMb = Math.max(rssMb, s.rssMb);
    rssSumMb += s.rssMb;
  }
  return { cpuS, rssMb, rssSumMb };
}

export class PeerProcess {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly stdout: string[] = [];
  stderr = '';
  /** The exit code once the process has exited (null when a signal ended it). */
  exited: number | null | undefined;
  /** The last /proc sample taken while it ran. */
  last: ProcSample;
  private buf = '';

  constructor(cmd: string, args: string[], cwd: string) {
    this.proc = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.on('exit', (code) => {
      this.exited = code;
    });
    this.proc.stdout?.on('data', (b: Buffer) => {
      this.buf += b.toString();
      let i = this.buf.indexOf('\n');
      while (i >= 0) {
        this.stdout.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
        i = this.buf.indexOf('\n');
      }
    });
    this.proc.stderr?.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-20_000);
    });
    this.pid = this.proc.pid as number;
    this.last = procSample(this.pid) ?? { cpuS: 0, rssMb: 0 };
  }

  sample(): ProcSample {
    const s = procSample(this.pid);
    if (s) this.last = s;
    return this.last;
  }

  /** The JSON lines the peer printed (events), skipping anything else. */
  events(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const l of this.stdout) {
      try {
        const o = JSON.parse(l);
        if (o && typeof o === 'object') out.push(o);
      } catch {}
    }
    return out;
  }

  stderrTail(lines: number): string {
    return this.stderr.trim().split('\n').slice(-lines).join(' | ');
  }

  /** SIGTERM, then SIGKILL when it has not exited after 30 s. */
  async stop(): Promise<void> {
    if (this.exited === undefined) this.proc.kill('SIGTERM');
    for (let i = 0; i < 150 && this.exited === undefined; i++) await sleep(200);
    if (this.exited === undefined) this.proc.kill('SIGKILL');
  }
}
