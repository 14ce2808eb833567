// The harness end to end: Vite serves the project, headless Chrome runs a WGSL kernel on
// WebGPU over lengths that are not multiples of the workgroup size, Node checks every element.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';
import { UserError } from '../../src/errors.ts';
import { DataError } from '../../src/data/parse.ts';
import { CheckpointError } from '../../src/io/safetensors.ts';
import { GpuDeviceLostError } from '../../src/gpu/device.ts';
import { NonFiniteError } from '../../src/train/non_finite.ts';

const PAGE = '/test/gpu/pages/smoke.ts';
const h = useHarness();

describe('GPU smoke test in headless Chrome', () => {
  it('finds a WebGPU adapter', async () => {
    const info = await h.call<{ vendor: string }>(PAGE, 'adapterInfo');
    expect(typeof info.vendor).toBe('string');
  });

  it.each([
    [1, 0, 1],
    [131, 0, 131], // 2 workgroups of 64 and 3 stragglers
    [200, 7, 129], // an offset view
  ])('fills and copies %i elements (offset %i, count %i) exactly', async (size, offset, count) => {
    const r = await h.call<{ a: number[]; b: number[]; submits: number }>(PAGE, 'fillAndCopy', size, offset, count, 2.5);
    const expected = Array.from({ length: size }, (_, i) => (i >= offset && i < offset + count ? 2.5 : -(i + 1)));
    expect(r.a).toEqual(expected);
    expect(r.b).toEqual(expected);
    expect(r.submits).toBe(1);
  });

  it.each([
    ['invalid_settings', UserError, 'hidden_size=9999 is too large; use at most 512.'],
    ['invalid_data', DataError, 'pairs.tsv line 3 has no tab between source and target.'],
    ['invalid_checkpoint', CheckpointError, 'model.safetensors is not a safetensors file.'],
    ['diverged', NonFiniteError, 'Training diverged at step 3: the loss is not finite; lower lr.'],
    ['device_lost', GpuDeviceLostError, 'The GPU device was lost (gone); reload the page.'],
  ] as const)('an error with code %s thrown in the page arrives as its own class with its message alone', async (code, cls, message) => {
    const err = await h.call(PAGE, 'throwError', code).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    expect((err as Error).message).toBe(message);
  });

  it("any other error arrives as a plain Error with the page's stack", async () => {
    const err = (await h.call(PAGE, 'throwError', 'internal').catch((e: unknown) => e)) as Error;
    expect(err.constructor).toBe(Error);
    expect(err.message).toBe('x is undefined');
    expect(err.stack).toMatch(/throwError/);
  });

  it('reports page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
