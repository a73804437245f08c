/**
 * The production build (`pnpm build` = `tsc --noEmit` typecheck, then this): every app's main and the
 * bench's Node peers bundled with esbuild into one ESM file each, `<package>/dist/<name>.js` with a
 * source map, so production and the bench run plain `node <file>.js` without the tsx loader.
 *
 *   npx tsx tools/build/build.ts [--quiet] [prefix...]
 *
 * With prefixes, only the entries whose output path starts with one (`bench/`: the bench's peers).
 *
 * Why a bundle and not tsc's per-file output: the workspace packages' `exports` point at `src/*.ts`,
 * which is what tsx, vitest and `tsc --noEmit` resolve in development. Emitting `dist/` per package
 * would need a second set of exports (conditions) in every package.json and in the resolution of all
 * three tools; a bundle of each entry point leaves all of that as it is. What a bundle changes, and
 * how this build keeps it as it was:
 * - Workspace packages (`@tributary/*`) are inlined; every dependency from node_modules (kafkajs,
 *   classic-level, msgpackr, prom-client, ...) stays external. Node would resolve a bare `kafkajs` from
 *   `apps/voters/dist/`, where pnpm does not link it (it is a dependency of `@tributary/core`, not of
 *   the app), so each external import is rewritten to the relative path of the file esbuild resolved
 *   from the importing package: the same file the tsx run loads, patched kafkajs included.
 * - `import.meta.url` of an inlined module would be the bundle's URL; it is rewritten to the module's
 *   own source URL, relative to the bundle, so `new URL('../data/campaigns.csv', import.meta.url)` and
 *   "am I the main module" checks mean what they mean under tsx.
 * - Class and function names are kept (`keepNames`), so renaming on collisions cannot change a `name`.
 * The bundles therefore run from this checkout (its node_modules and data files), as the tsx commands do.
 */
import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as esbuild, type Metafile, type Plugin } from 'esbuild';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Entry {
  /** Source file, relative to the repository root. */
  readonly src: string;
  /** Output file, relative to the repository root. */
  readonly out: string;
}

/** What `pnpm build` bundles: each app's main and the Node peers the bench spawns. */
export const ENTRIES: readonly Entry[] = [
  ...['campaign-views', 'campaign-ctr', 'events-archive', 'voters'].map((app) => ({
    src: `apps/${app}/src/main.ts`,
    out: `apps/${app}/dist/main.js`,
  })),
  { src: 'bench/src/peers/tributary.ts', out: 'bench/dist/peers/tributary.js' },
  { src: 'bench/src/peers/ceiling.ts', out: 'bench/dist/peers/ceiling.js' },
];

/** A relative import specifier from `fromDir` to `file` (always `./` or `../`, forward slashes). */
export function relativeSpecifier(fromDir: string, file: string): string {
  const rel = path.relative(fromDir, file).split(path.sep).join('/');
  if (/[#%?]/.test(rel)) throw new Error(`cannot import ${file} by a relative URL: it contains # % or ?`);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** `@scope/name` or `name` of a bare specifier (`kafkajs`, `@platformatic/kafka/sub` -> `@platformatic/kafka`). */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/**
 * `resolved` (a real path inside pnpm's store, `node_modules/.pnpm/<name>@<version>.../`) as a path
 * through the `node_modules/<name>` link that Node's own lookup from `resolveDir` finds, e.g.
 * `packages/core/node_modules/kafkajs/index.js`: readable, and independent of the store's directory
 * names. Node loads the same file either way (it resolves links to real paths).
 */
function linkedPath(specifier: string, resolveDir: string, resolved: string): string {
  const name = packageName(specifier);
  for (let dir = resolveDir; ; dir = path.dirname(dir)) {
    const link = path.join(dir, 'node_modules', name);
    if (existsSync(link)) {
      const real = realpathSync(link);
      return resolved.startsWith(real + path.sep) ? link + resolved.slice(real.length) : resolved;
    }
    if (path.dirname(dir) === dir) return resolved;
  }
}

/**
 * Leaves node_modules dependencies external, imported by their path relative to the bundle (see the
 * header); `@tributary/*` and relative imports are bundled, Node builtins stay as they are.
 */
function externalDependencies(outDir: string): Plugin {
  return {
    name: 'external-dependencies',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'inner' || args.path.startsWith('@tributary/')) return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const r = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'inner',
        });
        if (r.errors.length > 0) return { errors: r.errors };
        return {
          path: relativeSpecifier(outDir, linkedPath(args.path, args.resolveDir, r.path)),
          external: true,
        };
      });
    },
  };
}

/**
 * Gives each inlined source module except the entry its own `import.meta.url` (relative to the
 * bundle's, so the output names no absolute path). `import.meta.dirname` / `filename` are refused:
 * they would silently name the bundle's directory.
 */
function sourceImportMeta(outDir: string, entry: string): Plugin {
  return {
    name: 'source-import-meta',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        // The entry module is the bundle: its import.meta.url stays the bundle's (main-module checks).
        if (args.path === entry) return undefined;
        let text = await readFile(args.path, 'utf8');
        if (/import\.meta\.(dirname|filename)/.test(text)) {
          return { errors: [{ text: `${args.path}: use import.meta.url, not dirname/filename (bundled)` }] };
        }
        if (text.includes('import.meta.url')) {
          const rel = JSON.stringify(relativeSpecifier(outDir, args.path));
          text = text.replaceAll('import.meta.url', `new URL(${rel}, import.meta.url).href`);
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

export interface BuildResult {
  readonly out: string;
  readonly bytes: number;
  /** Files esbuild read (sources and the package.json files of resolution). */
  readonly inputs: number;
  /** What the bundle imports at run time: Node builtins and relative paths into node_modules. */
  readonly externals: readonly string[];
  /** The externals of static imports only: what Node loads before the entry's first line runs. */
  readonly loadedAtStart: readonly string[];
}

/** Bundles one entry (paths relative to `root`). */
export async function buildEntry(entry: Entry, root = ROOT): Promise<BuildResult> {
  const outfile = path.join(root, entry.out);
  const outDir = path.dirname(outfile);
  const src = path.join(root, entry.src);
  const r = await esbuild({
    absWorkingDir: root,
    entryPoints: [src],
    // Splitting keeps a dynamic import() a separate file loaded on demand (the platformatic client,
    // #20); without it esbuild inlines the module and hoists its imports to the bundle's top.
    outdir: outDir,
    entryNames: path.basename(outfile, '.js'),
    chunkNames: '[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: true,
    keepNames: true,
    metafile: true,
    logLevel: 'silent',
    // Only Node's own conditions (import/require, node, default), not esbuild's extra `module`: the
    // external files must be the ones Node itself would pick.
    conditions: [],
    plugins: [externalDependencies(outDir), sourceImportMeta(outDir, src)],
    banner: { js: `// Built by tools/build/build.ts from ${entry.src}; do not edit.` },
  });
  const outputs = r.metafile.outputs;
  const outKey = relativeSpecifier(root, outfile).replace(/^\.\//, '');
  const externals = new Set<string>();
  for (const o of Object.values(outputs)) {
    for (const i of o.imports) if (i.external) externals.add(i.path);
  }
  return {
    out: entry.out,
    bytes: outputs[outKey]?.bytes ?? 0,
    inputs: Object.keys(r.metafile.inputs).length,
    externals: [...externals].sort(),
    loadedAtStart: staticExternals(outputs, outKey),
  };
}

type Outputs = Metafile['outputs'];

/** Externals reached from `start` through static imports (chunks included), not dynamic import(). */
function staticExternals(outputs: Outputs, start: string): string[] {
  const seen = new Set<string>([start]);
  const found = new Set<string>();
  const queue = [start];
  for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
    for (const i of outputs[key]?.imports ?? []) {
      if (i.kind !== 'import-statement') continue;
      if (i.external) found.add(i.path);
      else if (!seen.has(i.path)) {
        seen.add(i.path);
        queue.push(i.path);
      }
    }
  }
  return [...found].sort();
}

/** Bundles the entries of ENTRIES whose output path starts with one of `prefixes` (all without), in parallel. */
export function buildAll(prefixes: readonly string[] = [], root = ROOT): Promise<BuildResult[]> {
  const entries = ENTRIES.filter((e) => prefixes.length === 0 || prefixes.some((p) => e.out.startsWith(p)));
  if (entries.length === 0) throw new Error(`no entry's output starts with ${prefixes.join(' or ')}`);
  return Promise.all(entries.map((e) => buildEntry(e, root)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  const t0 = performance.now();
  try {
    const results = await buildAll(args.filter((x) => x !== '--quiet'));
    for (const r of results) {
      if (!quiet) {
        console.log(`${r.out}: ${(r.bytes / 1024).toFixed(0)} KiB (${r.inputs} files read)`);
      }
    }
    if (!quiet) console.log(`built ${results.length} bundles in ${(performance.now() - t0).toFixed(0)} ms`);
  } catch (err) {
    // esbuild has printed nothing (logLevel silent): its errors are in the message.
    console.error(`build failed: ${(err as Error).message}`);
    process.exit(1);
  }
}
