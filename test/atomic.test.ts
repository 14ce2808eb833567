import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendLineAtomic, tempPathFor, writeFileAtomic } from '../src/io/atomic.ts';

// Faults injected into the file handles atomic.ts opens: a write that stops after
// `writeBytes` bytes (a full disk, a crash mid-write) or an fsync that fails.
const fault = vi.hoisted(() => ({ writeBytes: -1, failSync: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      const fh = await real.open(...args);
      if (fault.writeBytes < 0 && !fault.failSync) return fh;
      let written = 0;
      const limit = fault.writeBytes;
      return new Proxy(fh, {
        get(target, prop) {
          if (prop === 'write' && limit >= 0) {
            return async (buf: Uint8Array, off: number, len: number) => {
              const n = Math.min(len, Math.max(0, limit - written));
              if (n > 0) await target.write(buf, off, n);
              written += n;
              if (n < len) throw Object.assign(new Error('ENOSPC: no space left on device (simulated)'), { code: 'ENOSPC' });
              return { bytesWritten: n, buffer: buf };
            };
          }
          if (prop === 'sync' && fault.failSync) return async () => Promise.reject(new Error('EIO: i/o error (simulated)'));
          const v = Reflect.get(target, prop);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atomic-test-'));
  fault.writeBytes = -1;
  fault.failSync = false;
});
afterEach(() => {
  fault.writeBytes = -1;
  fault.failSync = false;
  rmSync(dir, { recursive: true, force: true });
});

const big = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('writeFileAtomic', () => {
  it('creates and replaces files with bytes or text, leaving no temporary files', async () => {
    const p = join(dir, 'last.safetensors');
    await writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    await writeFileAtomic(p, 'héllo\n');
    expect(readFileSync(p, 'utf8')).toBe('héllo\n');
    await writeFileAtomic(p, new Uint8Array(0));
    expect(readFileSync(p).length).toBe(0);
    const large = big(3 << 20, 7); // several write chunks
    await writeFileAtomic(p, large);
    expect(readFileSync(p).equals(large)).toBe(true);
    expect(readdirSync(dir)).toEqual(['last.safetensors']);
  });

  it('puts the temporary file beside the target, hidden and unique', () => {
    const a = tempPathFor(join(dir, 'x.json'));
    expect(a.startsWith(join(dir, '.x.json.tmp-'))).toBe(true);
    expect(tempPathFor(join(dir, 'x.json'))).not.toBe(a);
  });

  it('keeps the old content when the write dies midway, and cleans up', async () => {
    const p = join(dir, 'round-001.safetensors');
    const old = big(1000, 1);
    writeFileSync(p, old);
    fault.writeBytes = (3 << 20) / 2; // half of the new file, inside its second chunk
    await expect(writeFileAtomic(p, big(3 << 20, 2))).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(p).equals(old)).toBe(true);
    expect(readdirSync(dir)).toEqual(['round-001.safetensors']);
  });

  it('creates nothing when the first write of a new file dies', async () => {
    const p = join(dir, 'new.json');
    fault.writeBytes = 0;
    await expect(writeFileAtomic(p, '{"a":1}')).rejects.toThrow(/ENOSPC/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps the old content when fsync fails', async () => {
    const p = join(dir, 'config.json');
    writeFileSync(p, 'old');
    fault.failSync = true;
    await expect(writeFileAtomic(p, 'new')).rejects.toThrow(/EIO/);
    expect(readFileSync(p, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('cleans up when the rename fails', async () => {
    const p = join(dir, 'taken');
    mkdirSync(join(p, 'child'), { recursive: true }); // a non-empty directory cannot be renamed over
    await expect(writeFileAtomic(p, 'x')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('fails clearly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'f'), 'x')).rejects.toThrow(/ENOENT/);
  });

  it('leaves the old or the new file, whole, when the process is killed mid-write', async () => {
    // A child rewrites the target in a loop with two large contents; killing it with
    // SIGKILL at random moments must never expose a partial file.
    const p = join(dir, 'last.safetensors');
    const n = 8 << 20;
    const script = join(dir, 'writer.mjs');
    const moduleUrl = new URL(`file://${resolve('src/io/atomic.ts')}`).href;
    writeFileSync(
      script,
      `import { writeFileAtomic } from ${JSON.stringify(moduleUrl)};
       const p = ${JSON.stringify(p)};
       const a = new Uint8Array(${n}).fill(0xaa), b = new Uint8Array(${n}).fill(0xbb);
       await writeFileAtomic(p, a);
       process.stdout.write('ready\\n');
       for (let i = 0; ; i++) await writeFileAtomic(p, i % 2 ? a : b);`,
    );
    for (let trial = 0; trial < 3; trial++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((ok, fail) => {
        child.stdout.once('data', () => ok());
        child.once('exit', (code) => fail(new Error(`writer exited early with ${code}`)));
      });
      await new Promise((r) => setTimeout(r, 50 + 150 * Math.random()));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      const got = readFileSync(p);
      expect(got.length).toBe(n);
      expect(got[0] === 0xaa || got[0] === 0xbb).toBe(true);
      expect(got.every((x) => x === got[0])).toBe(true);
    }
    // A killed writer may leave its temporary file (nothing can remove it); the target is whole.
    expect(readdirSync(dir).filter((f) => !f.startsWith('.last.safetensors.tmp-')).sort()).toEqual(['last.safetensors', 'writer.mjs']);
  }, 600_000); // three writers started through tsx: slow on a loaded machine
});

describe('appendLineAtomic', () => {
  it('creates the file and appends whole lines', async () => {
    const p = join(dir, 'metrics.jsonl');
    await appendLineAtomic(p, '{"round":1}');
    await appendLineAtomic(p, '{"round":2}');
    expect(readFileSync(p, 'utf8')).toBe('{"round":1}\n{"round":2}\n');
    expect(readdirSync(dir)).toEqual(['metrics.jsonl']);
  });

  it('restores a missing final newline and keeps existing bytes exactly', async () => {
    const p = join(dir, 'metrics.jsonl');
    writeFileSync(p, new Uint8Array([0x7b, 0x7d, 0x0a, 0xff, 0xfe])); // '{}\n' + invalid UTF-8
    await appendLineAtomic(p, '{"x":"é"}');
    expect([...readFileSync(p)]).toEqual([0x7b, 0x7d, 0x0a, 0xff, 0xfe, 0x0a, ...new TextEncoder().encode('{"x":"é"}\n')]);
  });

  it('refuses text with a newline in it', async () => {
    await expect(appendLineAtomic(join(dir, 'm'), 'a\nb')).rejects.toThrow(/one line/);
    expect(existsSync(join(dir, 'm'))).toBe(false);
  });

  it('keeps the earlier lines when an append dies midway', async () => {
    const p = join(dir, 'metrics.jsonl');
    await appendLineAtomic(p, '{"round":1}');
    fault.writeBytes = 15;
    await expect(appendLineAtomic(p, '{"round":2}')).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(p, 'utf8')).toBe('{"round":1}\n');
    expect(readdirSync(dir)).toEqual(['metrics.jsonl']);
  });
});
