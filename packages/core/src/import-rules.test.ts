import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Imports inside packages/core/src point one way: the Kafka adapter knows nothing of the engine, and
 * the engine (graph, processors, runtime) knows nothing of the DSL or the test kit built on top of
 * it. Otherwise a change to the DSL could break the runtime, and a cycle could form. The barrels
 * (index.ts, testing.ts) re-export those layers, so importing them counts as importing the layers.
 */
const RULES: readonly { readonly from: string; readonly forbidden: readonly string[] }[] = [
  { from: 'kafka/', forbidden: ['internal/', 'index.ts', 'testing.ts'] },
  { from: 'internal/', forbidden: ['kstream/', 'testing/', 'index.ts', 'testing.ts'] },
];

const SRC = dirname(fileURLToPath(import.meta.url));

/** Paths relative to src with '/' separators, so rules read the same on every OS. */
function rel(abs: string): string {
  return relative(SRC, abs).split(sep).join('/');
}

function productionFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...productionFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/**
 * Every module specifier in the source: imports (also `import type` and bare `import './x.js'`),
 * `export … from` and dynamic `import()`. The TypeScript scanner skips comments and strings, which
 * a regular expression would not.
 */
function moduleSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** The file a relative specifier names (ESM source says './x.js' for './x.ts'); undefined if none. */
function resolveRelative(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c));
}

function importRuleViolations(files: readonly string[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const from = rel(file);
    const rules = RULES.filter((r) => from.startsWith(r.from));
    for (const spec of moduleSpecifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolveRelative(file, spec);
      if (target === undefined) {
        // An import the check cannot follow could hide a violation: report it rather than skip it.
        violations.push(`${from}: cannot resolve '${spec}'`);
        continue;
      }
      const to = rel(target);
      for (const r of rules) {
        const hit = r.forbidden.find((f) => (f.endsWith('/') ? to.startsWith(f) : to === f));
        if (hit) violations.push(`${from} -> ${to} ('${r.from}' must not import '${hit}')`);
      }
    }
  }
  return violations;
}

describe('import rules in packages/core/src', () => {
  it('finds every kind of module reference and ignores comments and strings', () => {
    const source = [
      "// import { x } from './commented.js';",
      "import type { A } from './a.js';",
      'import {',
      '  B,',
      "} from './b.js';",
      "export { C } from './c.js';",
      "export type * from './d.js';",
      "import './side-effect.js';",
      'const s = "from \'./string.js\'";',
      "const m = await import('./dynamic.js');",
    ].join('\n');
    expect(moduleSpecifiers(source)).toEqual([
      './a.js',
      './b.js',
      './c.js',
      './d.js',
      './side-effect.js',
      './dynamic.js',
    ]);
  });

  it('kafka/ imports nothing from internal/; internal/ nothing from kstream/ or testing/', () => {
    const files = productionFiles(SRC);
    // Guards against the walk silently finding nothing (e.g. after a move of this test).
    expect(files.map(rel)).toContain('internal/graph/nodes.ts');
    expect(importRuleViolations(files)).toEqual([]);
  });
});
