// Errors crossing the page boundary keep their class and message, and carry the code the
// public API gives the same error, so the command line and a library caller agree on a cause.
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.ts';
import { DataError } from '../src/data/parse.ts';
import { CheckpointError } from '../src/io/safetensors.ts';
import { GpuDeviceLostError } from '../src/gpu/device.ts';
import { NonFiniteError } from '../src/train/non_finite.ts';
import { fromPageError, toPageError } from '../src/page_api/errors.ts';
import { toSeq2SeqError } from '../src/lib/errors.ts';

describe('page errors', () => {
  it.each([
    [new UserError('hidden_size=9999 is too large; use at most 512.'), 'invalid_settings', UserError],
    [new DataError('pairs.tsv line 3 has no tab between source and target.'), 'invalid_data', DataError],
    [new CheckpointError('model.safetensors is not a safetensors file.'), 'invalid_checkpoint', CheckpointError],
    [new NonFiniteError('Training diverged at step 3: the loss is not finite; lower lr.'), 'diverged', NonFiniteError],
    [new GpuDeviceLostError('The GPU device was lost (gone); reload the page.'), 'device_lost', GpuDeviceLostError],
  ] as const)('%s crosses as %s, the public API code, and is rebuilt as its class', (err, code, cls) => {
    const crossed = toPageError(err);
    expect(crossed).toEqual({ code, message: err.message });
    expect(toSeq2SeqError(err).code).toBe(code);
    const rebuilt = fromPageError(crossed);
    expect(rebuilt.constructor).toBe(cls);
    expect(rebuilt.message).toBe(err.message);
  });

  it('any other error crosses as internal with its stack, and is rebuilt as a plain Error', () => {
    const err = new TypeError('x is undefined');
    const crossed = toPageError(err);
    expect(crossed).toEqual({ code: 'internal', message: 'x is undefined', stack: err.stack });
    const rebuilt = fromPageError(crossed);
    expect(rebuilt.constructor).toBe(Error);
    expect(rebuilt.stack).toBe(err.stack);
    expect(toPageError('plain text')).toEqual({ code: 'internal', message: 'plain text', stack: undefined });
  });
});
