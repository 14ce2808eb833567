// The floors of docs/architecture.md hold: a module imports only from its own floor and the
// floors above it. The floor order is read from that page's table, so it is written once.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** [floor name, its folders (`src/x/`, or a file)] in the table's order, top first. */
export function floorsOf(architecture: string): [string, string[]][] {
  const start = architecture.indexOf('| floor | folder |');
  const rows = architecture.slice(start).split('\n').slice(2);
  const out: [string, string[]][] = [];
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const [name, folders] = row.split('|').slice(1, 3).map((c) => c.trim());
    out.push([name, [...folders.matchAll(/`([^`]+)`/g)].map((m) => m[1])]);
  }
  return out;
}

/** Index of the floor holding repository path `path` (the longest matching folder wins); -1 for src/'s own files. */
function floorIndex(floors: [string, string[]][], path: string): number {
  let best = -1;
  let bestLength = 0;
  floors.forEach(([, folders], i) => {
    for (const f of folders) if ((path === f || path.startsWith(f.endsWith('/') ? f : `${f}/`)) && f.length > bestLength) [best, bestLength] = [i, f.length];
  });
  if (best === -1 && /^src\/[^/]+\.ts$/.test(path)) return -1;
  if (best === -1) throw new Error(`${path} is on no floor of docs/architecture.md.`);
  return best;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Repository paths a module imports (relative specifiers only; `?raw` and the like dropped). */
function importsOf(path: string): string[] {
  const text = readFileSync(join(root, path), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
  return specs.map((s) => relative(root, resolve(root, dirname(path), s.replace(/\?.*$/, ''))));
}

/** "a imports b, on a floor below its own" for every upward import under src/. */
export function upwardImports(architecture: string, readImports: (path: string) => string[] = importsOf): string[] {
  const floors = floorsOf(architecture);
  const out: string[] = [];
  for (const file of sourceFiles('src')) {
    const own = floorIndex(floors, file);
    // Build scripts (scripts/) and other tooling outside src/ and shaders/ are on no floor.
    for (const target of readImports(file).filter((t) => t.startsWith('src/') || t.startsWith('shaders/'))) {
      const theirs = floorIndex(floors, target);
      if (theirs > own) out.push(`${file} (${floors[own]?.[0] ?? 'src'}) imports ${target} (${floors[theirs][0]}), a floor below its own`);
    }
  }
  return out;
}

/** "a imports b" for every relative import under src/demo/ that leaves src/demo/ and src/lib/. */
function demoImportsOutsideLib(readImports: (path: string) => string[] = importsOf): string[] {
  return sourceFiles('src/demo').flatMap((file) => readImports(file).filter((t) => !/^src\/(demo|lib)\//.test(t)).map((t) => `${file} imports ${t}`));
}

/** `file:line` of each `let` or `var` at the top level (no indentation) of a module under src/demo/. */
function moduleLevelLets(files = sourceFiles('src/demo'), readText = (p: string) => readFileSync(join(root, p), 'utf8')): string[] {
  return files.flatMap((file) =>
    readText(file)
      .split('\n')
      .flatMap((line, i) => (/^(export\s+)?(let|var)\s/.test(line) ? [`${file}:${i + 1}`] : [])),
  );
}

describe('floors', () => {
  const architecture = readFileSync(join(root, 'docs/architecture.md'), 'utf8');

  it('reads the floor table of docs/architecture.md', () => {
    const floors = floorsOf(architecture);
    expect(floors.map(([n]) => n).slice(0, 3)).toEqual(['kernels', 'shared pure code', 'references']);
    expect(floors.flatMap(([, f]) => f)).toContain('src/models/');
  });

  it('every folder or file the table names exists, so a renamed folder cannot leave a stale row', () => {
    const named = floorsOf(architecture).flatMap(([, folders]) => folders);
    expect(named.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });

  it('no module under src/ imports from a floor below its own', () => {
    expect(upwardImports(architecture)).toEqual([]);
  });

  it('the demo page imports only the public API (src/lib/) and its own modules', () => {
    expect(demoImportsOutsideLib()).toEqual([]);
    const planted = (path: string) => (path === 'src/demo/main.ts' ? [...importsOf(path), 'src/train/session.ts'] : importsOf(path));
    expect(demoImportsOutsideLib(planted)).toEqual(['src/demo/main.ts imports src/train/session.ts']);
  });

  it('the demo keeps no module-level `let`: its mutable state lives in the one state object (src/demo/state.ts)', () => {
    expect(moduleLevelLets()).toEqual([]);
    expect(moduleLevelLets(['src/demo/main.ts'], () => 'const a = 1;\nlet mode = "idle";\nfunction f() {\n  let x = 1;\n}\n')).toEqual(['src/demo/main.ts:2']);
  });

  it('notices a planted upward import', () => {
    const planted = (path: string) => (path === 'src/config/rules.ts' ? [...importsOf(path), 'src/models/registry.ts'] : importsOf(path));
    expect(upwardImports(architecture, planted)).toEqual(['src/config/rules.ts (shared pure code) imports src/models/registry.ts (models), a floor below its own']);
  });
});
