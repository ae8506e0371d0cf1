/**
 * Issue #16: the layering, enforced. The contract (src-main/contract) is the ground floor: it imports only zod and
 * its own modules. Core imports the contract, never a host (app, bridge, electron) or the CLI; SQL lives in the store
 * layer only. The renderer reaches main only through the contract, and its tsconfig has no Node types, so Node APIs
 * cannot creep into it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

function filesUnder(dir: string, exts: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
    }
  };
  walk(path.join(root, dir));
  return out;
}

/** Every module specifier a file imports or re-exports (static, dynamic and side-effect imports). */
export function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [/^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm, /^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

/** The imports of `file` that resolve (relative ones) to a path under root, as root-relative paths; bare packages as is. */
function imports(file: string): { spec: string; target: string }[] {
  return specifiers(fs.readFileSync(file, 'utf8')).map((spec) => ({
    spec,
    target: spec.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/') : spec,
  }));
}

const rel = (f: string): string => path.relative(root, f).split(path.sep).join('/');

describe('layering', () => {
  it('finds the imports it checks (the scanner itself)', () => {
    expect(specifiers("import { z } from 'zod';\nimport type { A } from './a';\nexport * from './b';\nconst m = await import('../c');\nimport './d';")).toEqual(['zod', './a', './b', './d', '../c']);
    const contract = filesUnder('src-main/contract', ['.ts']);
    expect(contract.length).toBeGreaterThan(3);
    expect(imports(path.join(root, 'src-main/contract/index.ts')).map((i) => i.spec)).toContain('zod');
  });

  it('the contract imports nothing but zod and its own modules', () => {
    const bad: string[] = [];
    for (const f of filesUnder('src-main/contract', ['.ts'])) {
      for (const i of imports(f)) {
        if (i.spec === 'zod') continue;
        if (i.spec.startsWith('.') && i.target.startsWith('src-main/contract/')) continue;
        bad.push(`${rel(f)} imports '${i.spec}'`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('core imports no host (app, bridge, electron) and not the CLI', () => {
    const bad: string[] = [];
    for (const f of filesUnder('src-main/core', ['.ts'])) {
      for (const i of imports(f)) {
        if (/^src-main\/(app|bridge|electron|cli)(\/|$)/.test(i.target) || i.spec === 'electron') bad.push(`${rel(f)} imports '${i.spec}'`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the renderer reaches src-main only through the contract, and never Node built-ins', () => {
    const bad: string[] = [];
    for (const f of filesUnder('src-renderer', ['.ts', '.vue'])) {
      for (const i of imports(f)) {
        if (i.target.startsWith('src-main/') && !/^src-main\/contract(\/|$)/.test(i.target)) bad.push(`${rel(f)} imports '${i.spec}'`);
        if (i.spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'electron'].includes(i.spec)) bad.push(`${rel(f)} imports '${i.spec}'`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the CLI is a client of the Workbench: it never opens the store or reaches into the engine\'s storage', () => {
    const bad: string[] = [];
    for (const f of filesUnder('src-main/cli', ['.ts'])) {
      for (const i of imports(f)) {
        if (/^src-main\/core\/(store|engine\/repo|engine\/results|review|workbench\/queries)(\/|$)/.test(i.target)) bad.push(`${rel(f)} imports '${i.spec}'`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('SQL lives in the store layer only: nothing outside src-main/core/store reaches the database handle', () => {
    const bad: string[] = [];
    for (const dir of ['src-main/core', 'src-main/app', 'src-main/cli', 'src-main/bridge', 'src-main/electron']) {
      for (const f of filesUnder(dir, ['.ts'])) {
        if (rel(f).startsWith('src-main/core/store/')) continue;
        const src = fs.readFileSync(f, 'utf8');
        // The store's better-sqlite3 handle (`store.db`) and statements on it; DuckDB's Parquet reader has its own connection.
        for (const m of src.matchAll(/\b\w+\.db\.(prepare|exec|pragma|transaction)\b|\bfrom 'better-sqlite3'/g)) bad.push(`${rel(f)}: ${m[0]}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("the renderer's tsconfig has no Node types", () => {
    const cfg = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.web.json'), 'utf8')) as { compilerOptions: { types?: string[] } };
    expect(cfg.compilerOptions.types ?? []).not.toContain('node');
    expect(cfg.compilerOptions.types).toBeDefined(); // an absent list would load every @types package, Node's included
  });
});
