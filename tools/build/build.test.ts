import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuildResult, buildAll, buildEntry, ENTRIES, ROOT, relativeSpecifier } from './build.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node <file> ...args` (plain node, no loader), the broker pointed at a closed port. */
function node(file: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file, ...args],
      { cwd: ROOT, timeout: 45_000, env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs `jobs` two at a time (a start costs about 2 CPU-seconds; CI has two cores). */
async function twoAtATime<T>(jobs: readonly (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += 2)
    out.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => j()))));
  return out;
}

describe('the production bundles (pnpm build)', () => {
  // The real build into the real dist/ directories: what `node apps/<app>/dist/main.js` runs.
  let built: BuildResult[] = [];
  beforeAll(async () => {
    built = await buildAll();
  }, 60_000);

  it('inlines the workspace and imports node_modules by relative path, no bare specifier left', () => {
    expect(built.map((r) => r.out)).toEqual(ENTRIES.map((e) => e.out));
    for (const r of built) {
      const bare = r.externals.filter((x) => !isBuiltin(x) && !x.startsWith('../'));
      expect({ out: r.out, bare }).toEqual({ out: r.out, bare: [] });
    }
    const voters = built.find((r) => r.out === 'apps/voters/dist/main.js');
    expect(voters?.externals).toContain('../../../packages/core/node_modules/kafkajs/index.js');
    expect(voters?.externals).toContain('../../../packages/state/node_modules/classic-level/index.js');
  });

  it('loads @platformatic/kafka only when a platformatic consumer connects, not at start', () => {
    const platformatic = (xs: readonly string[]) => xs.filter((x) => x.includes('@platformatic/kafka'));
    for (const r of built.filter((b) => b.out.startsWith('apps/'))) {
      expect({ out: r.out, atStart: platformatic(r.loadedAtStart) }).toEqual({ out: r.out, atStart: [] });
      expect(platformatic(r.externals), r.out).not.toEqual([]);
      expect(r.loadedAtStart, r.out).toContain('../../../packages/core/node_modules/kafkajs/index.js');
    }
  });

  // --help gets past every static import (kafkajs, classic-level's binding, msgpackr, ...), so a
  // dependency the bundle cannot find fails here; the flag checks themselves are the CLI tests' job.
  it('every app main starts under plain node: --help exits 0, an unknown flag exits 2', async () => {
    const apps = ENTRIES.filter((e) => e.out.startsWith('apps/'));
    expect(apps.map((e) => e.out)).toEqual([
      'apps/campaign-views/dist/main.js',
      'apps/campaign-ctr/dist/main.js',
      'apps/events-archive/dist/main.js',
      'apps/voters/dist/main.js',
    ]);
    const runs = await twoAtATime([
      ...apps.map((e) => () => node(e.out, ['--help'])),
      () => node('apps/voters/dist/main.js', ['streams', '--bogus']),
    ]);
    apps.forEach((e, i) => {
      const help = runs[i] as Run;
      expect({ app: e.out, code: help.code, stderr: help.stderr }).toEqual({
        app: e.out,
        code: 0,
        stderr: '',
      });
      expect(help.stdout).toMatch(/^usage: /);
    });
    const bad = runs[apps.length] as Run;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown flag --bogus');
  });

  it("the bench's Node peers start under plain node and check their flags", async () => {
    const [trib, ceiling] = (await twoAtATime([
      () => node('bench/dist/peers/tributary.js', ['--mode', 'sideways']),
      () => node('bench/dist/peers/ceiling.js', ['--expect', '0']),
    ])) as [Run, Run];
    expect(trib.code).toBe(2);
    expect(trib.stderr).toContain('--mode must be one of: full-parquet, full-topic, passthrough, join');
    expect(trib.stderr).toContain('usage: node bench/dist/peers/tributary.js');
    expect(ceiling.code).toBe(2);
    expect(ceiling.stderr).toContain('usage: node bench/dist/peers/ceiling.js');
  });
});

describe('bundling', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'tributary-build-')));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const write = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  };

  it("gives an inlined module its own import.meta.url, and the entry the bundle's", async () => {
    await write(
      'lib/src/data.ts',
      `import { pathToFileURL } from 'node:url';
export const DATA = new URL('../data/x.csv', import.meta.url).pathname;
export const libIsMain = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;`,
    );
    await write(
      'app/src/main.ts',
      `import { pathToFileURL } from 'node:url';
import { DATA, libIsMain } from '../../lib/src/data.js';
const entryIsMain = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
console.log(JSON.stringify({ DATA, libIsMain, entryIsMain }));`,
    );
    await buildEntry({ src: 'app/src/main.ts', out: 'app/dist/main.js' }, dir);
    const r = await node(path.join(dir, 'app/dist/main.js'), []);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      DATA: path.join(dir, 'lib/data/x.csv'),
      libIsMain: false,
      entryIsMain: true,
    });
  });

  it('refuses import.meta.dirname in an inlined module (it would name the bundle directory)', async () => {
    await write('lib/src/dir.ts', 'export const D = import.meta.dirname;');
    await write('app/src/dir.ts', "import { D } from '../../lib/src/dir.js';\nconsole.log(D);");
    await expect(buildEntry({ src: 'app/src/dir.ts', out: 'app/dist/dir.js' }, dir)).rejects.toThrow(
      /use import\.meta\.url, not dirname\/filename/,
    );
  });

  it('writes relative specifiers as URLs Node resolves from the bundle', () => {
    expect(relativeSpecifier('/r/apps/a/dist', '/r/packages/core/node_modules/kafkajs/index.js')).toBe(
      '../../../packages/core/node_modules/kafkajs/index.js',
    );
    expect(relativeSpecifier('/r/a', '/r/a/b.js')).toBe('./b.js');
    expect(() => relativeSpecifier('/r', '/r/x#y.js')).toThrow(/# % or \?/);
  });
});
