// The GPU check's folder: built by the script `npm run gpu-check` runs, it holds one
// bundled script (no import of the browser harness, Vite or puppeteer; no npm package at
// all), Dawn's native module and BUILD.json, and the script runs from a copy of the folder
// with a bare environment: a bad option is one sentence and exit 2. (The full check takes
// minutes on SwiftShader: it is run by hand, see the README.)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare } from '../src/check/compare.ts';
import { PROJECT_DIR } from './helpers/cli.ts';

describe('gpu-check folder', () => {
  const built = join(mkdtempSync(join(tmpdir(), 'seq2seq-gpu-check-')), 'gpu-check');
  const build = spawnSync(process.execPath, ['scripts/build-gpu-check.mjs', '--out', built], { cwd: PROJECT_DIR, encoding: 'utf8' });

  it('is built with one bundled script, dawn.node and BUILD.json, in tens of MB', () => {
    expect(build.status, build.stderr).toBe(0);
    for (const f of ['gpu-check.mjs', 'dawn.node', 'BUILD.json', 'README.txt']) expect(existsSync(join(built, f)), f).toBe(true);
    const script = readFileSync(join(built, 'gpu-check.mjs'), 'utf8');
    // Every import is Node's own or webgpu (used only when dawn.node is absent).
    const imports = [...script.matchAll(/(?:from|import\()\s*["']([^"']+)["']/g)].map((m) => m[1]);
    expect(imports.filter((s) => !s.startsWith('node:') && s !== 'webgpu')).toEqual([]);
    expect(script).toContain('fn mm_tiled'); // the shaders travel inside
    const size = ['gpu-check.mjs', 'dawn.node'].reduce((a, f) => a + statSync(join(built, f)).size, 0);
    expect(size).toBeLessThan(60e6);
    expect(JSON.parse(readFileSync(join(built, 'BUILD.json'), 'utf8')).webgpu).toMatch(/^\d+\.\d+/);
  });

  it('runs from a copy with nothing but node: a bad option is one sentence, exit 2', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'seq2seq-gpu-check-copy-')), 'gpu-check');
    cpSync(built, copy, { recursive: true });
    const r = spawnSync(process.execPath, ['gpu-check.mjs', '--adapter', 'quantum'], { cwd: copy, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('--adapter must be auto, hardware or software, got "quantum".');
  });
});

describe('gpu-check comparison', () => {
  it('passes within atol + rtol·|want| and names the worst element otherwise', () => {
    expect(compare('x', [1, 2.0001], [1, 2], { atol: 0, rtol: 1e-4 }).ok).toBe(true);
    const bad = compare('x', [1, 2.5, 3.1], [1, 2, 3], { atol: 0.01, rtol: 0 });
    expect(bad).toMatchObject({ ok: false, max_abs_err: 0.5, worst: { index: 1, got: 2.5, want: 2 } });
    expect(compare('nan', [NaN], [0]).ok).toBe(false);
    expect(compare('length', [1], [1, 2]).ok).toBe(false);
  });

  it('passes an infinity only where the reference holds the same one', () => {
    expect(compare('dead', [-Infinity, 1], [-Infinity, 1], { atol: 0, rtol: 0 }).ok).toBe(true);
    expect(compare('dead', [-Infinity], [-Infinity]).over_tolerance).toBe(0);
    expect(compare('finite vs -inf', [-1e30], [-Infinity]).ok).toBe(false);
    expect(compare('-inf vs finite', [-Infinity], [-1e30]).ok).toBe(false);
    expect(compare('+inf vs -inf', [Infinity], [-Infinity]).ok).toBe(false);
  });
});
