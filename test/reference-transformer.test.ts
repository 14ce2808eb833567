// The float64 transformer model: every named gradient against central finite differences of
// the loss (with dropout, label smoothing, padding and a reversed source too), the tensor
// names PyTorch's nn.Transformer(norm_first=True) uses, the initialisation rules, and greedy
// decoding equal to the argmax of teacher forcing on its own output.
import { describe, expect, it } from 'vitest';
import { expectClose } from './helpers/close.ts';
import { transformerGreedyDecode, transformerInitParams, transformerModelForward, type TransformerRun } from '../src/reference/transformer_model.ts';
import { transformerParamShapes, type TransformerDims } from '../src/specs/transformer.ts';
import type { LstmTokens } from '../src/reference/lstm_model.ts';
import { numericGradOf } from './helpers/finite_diff.ts';

const dims: TransformerDims = { V: 7, d: 4, heads: 2, L: 1, F: 5 };
// B = 3, S = 3, T = 4, time-major; source lengths 3, 1, 2; targets EOS = 6 then PAD.
const tokens: LstmTokens = {
  src: [1, 2, 3, 4, 0, 5, 2, 0, 0],
  srcLengths: [3, 1, 2],
  tgt: [3, 2, 5, 2, 6, 1, 1, 0, 6, 6, 0, 0],
  decIn: [6, 6, 6, 3, 2, 5, 2, 6, 1, 1, 0, 6],
};

function numericCheck(run: TransformerRun, names: string[]): void {
  const p = transformerInitParams(dims, { init: 'pytorch', init_scale: 0.08, seed: 3 });
  // LayerNorm starts at γ 1, β 0 and attention biases at 0: move them so their gradients are generic.
  for (const [name, t] of Object.entries(p)) if (/norm|bias/.test(name)) t.forEach((v, i) => (t[i] = v + 0.3 * Math.sin(i + name.length)));
  const grads = transformerModelForward(p, dims, tokens, run).grads();
  const h = 1e-6;
  for (const name of names) {
    const numeric = numericGradOf(p[name], () => transformerModelForward(p, dims, tokens, run).loss, h);
    expectClose(name, grads[name], numeric, { atol: 1e-7, rtol: 1e-5 });
  }
}

const allNames = transformerParamShapes(dims).map(([n]) => n);

describe('transformer reference model', () => {
  it('names and shapes are nn.Transformer(norm_first=True) state_dict entries', () => {
    const shapes = new Map(transformerParamShapes({ V: 10, d: 8, heads: 2, L: 2, F: 16 }));
    expect(shapes.get('transformer.encoder.layers.1.self_attn.in_proj_weight')).toEqual([24, 8]);
    expect(shapes.get('transformer.decoder.layers.0.multihead_attn.out_proj.bias')).toEqual([8]);
    expect(shapes.get('transformer.decoder.layers.1.norm3.weight')).toEqual([8]);
    expect(shapes.get('transformer.encoder.layers.0.linear1.weight')).toEqual([16, 8]);
    expect(shapes.get('transformer.decoder.norm.bias')).toEqual([8]);
    expect(shapes.size).toBe(2 + 2 * 12 + 2 + 2 * 18 + 2 + 2); // embeddings, 12 per encoder layer, norm, 18 per decoder layer, norm, output
  });

  it('every named gradient matches finite differences', () => numericCheck({ reverse: false }, allNames));

  it('with dropout, label smoothing and a reversed source too', () => numericCheck({ reverse: true, smoothing: 0.1, dropout: { p: 0.25, seed: 5, step: 9 } }, allNames));

  it('init=pytorch: Xavier matrices, zero attention biases, LayerNorm 1 and 0, embeddings N(0, 1/d)', () => {
    const p = transformerInitParams({ V: 50, d: 16, heads: 2, L: 1, F: 32 }, { init: 'pytorch', init_scale: 0.08, seed: 1 });
    const maxAbs = (t: Float64Array) => t.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs(p['transformer.encoder.layers.0.self_attn.in_proj_weight'])).toBeLessThanOrEqual(Math.sqrt(6 / 64));
    expect(maxAbs(p['transformer.encoder.layers.0.self_attn.in_proj_weight'])).toBeGreaterThan(0.8 * Math.sqrt(6 / 64));
    expect(maxAbs(p['transformer.encoder.layers.0.self_attn.in_proj_bias'])).toBe(0);
    expect(maxAbs(p['transformer.encoder.layers.0.self_attn.out_proj.bias'])).toBe(0);
    expect(p['transformer.encoder.layers.0.norm1.weight'].every((v) => v === 1)).toBe(true);
    expect(maxAbs(p['transformer.encoder.norm.bias'])).toBe(0);
    expect(maxAbs(p['transformer.encoder.layers.0.linear1.bias'])).toBeLessThanOrEqual(1 / 4);
    const emb = p['src_embedding.weight'];
    const std = Math.sqrt(emb.reduce((s, v) => s + v * v, 0) / emb.length);
    expect(std).toBeGreaterThan(0.8 / 4);
    expect(std).toBeLessThan(1.2 / 4);
  });

  it('greedy decoding is the argmax of teacher forcing on its own prefix', () => {
    const p = transformerInitParams(dims, { init: 'pytorch', init_scale: 0.08, seed: 4 });
    const out = transformerGreedyDecode(p, dims, tokens.src, tokens.srcLengths, 4, false);
    const decIn = new Int32Array(12);
    decIn.fill(6, 0, 3);
    decIn.set(out.subarray(0, 9), 3);
    const f = transformerModelForward(p, dims, { ...tokens, decIn, tgt: new Int32Array(12) }, { reverse: false });
    for (let r = 0; r < 12; r++) {
      const row = Array.from(f.logits.subarray(r * 7, (r + 1) * 7));
      expect(out[r]).toBe(row.indexOf(Math.max(...row)));
    }
  });
});
