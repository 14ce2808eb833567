// Structural shader variants (src/gpu/shader.ts): one WGSL text per behaviour, the variant
// chosen by `#if ${NAME}` switches, and a cache name that says which switches are on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shaderVariant } from '../src/gpu/shader.ts';

const read = (name: string) => readFileSync(new URL(`../shaders/${name}.wgsl`, import.meta.url), 'utf8');
const entryPoints = (code: string) => [...code.matchAll(/@compute[^\n]*\n\s*fn (\w+)/g)].map((m) => m[1]);
const count = (code: string, pattern: RegExp) => [...code.matchAll(pattern)].length;

describe('shaderVariant', () => {
  const source = 'a\n#if ${X}\nx\n#elif ${Y}\ny\n#else\nz\n#endif\nb\n';

  it('keeps the branch of the switches that are on and names the variant by them', () => {
    expect(shaderVariant('t1', source, { X: true, Y: false })).toEqual({ name: 't1[X]', code: expect.stringMatching(/^a\n\s*x\n\s*b\n$/) });
    expect(shaderVariant('t1', source, { X: false, Y: true }).name).toBe('t1[Y]');
    expect(shaderVariant('t1', source, { X: false, Y: true }).code).not.toMatch(/[xz]/);
    expect(shaderVariant('t1', source, { X: false, Y: false })).toEqual({ name: 't1', code: expect.stringMatching(/^a\n\s*z\n\s*b\n$/) });
  });

  it('refuses a switch without a value, a value without a switch, and a placeholder outside #if', () => {
    expect(() => shaderVariant('t2', source, { X: true })).toThrow('t2.wgsl: ${Y} has no value');
    expect(() => shaderVariant('t3', source, { X: true, Y: false, Z: true })).toThrow('t3.wgsl has no ${Z}');
    expect(() => shaderVariant('t4', 'let a = ${X};', { X: true })).toThrow('${X} may only follow #if or #elif');
  });
});

describe('the project shaders', () => {
  it('matmul.wgsl: one 16x8 kernel and one set of operand helpers per layout', () => {
    const layouts = [{ TRANS_A: false, TRANS_B: false }, { TRANS_A: false, TRANS_B: true }, { TRANS_A: true, TRANS_B: false }];
    const names = layouts.map((d) => shaderVariant('matmul', read('matmul'), d));
    expect(names.map((v) => v.name)).toEqual(['matmul', 'matmul[TRANS_B]', 'matmul[TRANS_A]']);
    for (const { code } of names) {
      expect(entryPoints(code)).toEqual(['mm_generic', 'mm_16x8']);
      for (const helper of ['a_handle', 'a_step', 'a_tile', 'b_handle', 'b_step', 'b_tile']) expect(count(code, new RegExp(`fn ${helper}\\(`, 'g'))).toBe(1);
      expect(code).not.toMatch(/#(if|else|endif)/);
    }
    // Only TN has the k-remainder loop; only the transposed operand is transposed.
    expect(names[2].code).toMatch(/for \(var k = K4 \* 4u;/);
    expect(names[0].code).not.toMatch(/for \(var k = K4 \* 4u;/);
    expect(names[1].code).toMatch(/fn b_tile[^\n]*transpose/);
    expect(names[2].code).toMatch(/fn a_tile[^\n]*transpose/);
  });

  it('matmul_quad.wgsl: one quad entry point, 8 or 16 columns per lane', () => {
    const source = `enable subgroups;\n${read('matmul')}\n${read('matmul_quad')}`;
    for (const WIDE of [false, true]) {
      const v = shaderVariant('matmul-quad', source, { TRANS_A: true, TRANS_B: false, WIDE });
      expect(v.name).toBe(WIDE ? 'matmul-quad[TRANS_A,WIDE]' : 'matmul-quad[TRANS_A]');
      expect(entryPoints(v.code)).toEqual(['mm_generic', 'mm_16x8', 'mm_quad']);
      expect(v.code).toContain(WIDE ? 'const W: u32 = 16u;' : 'const W: u32 = 8u;');
      expect(count(v.code, /store16\(p, q, c\)/g)).toBe(WIDE ? 1 : 0);
    }
  });

  it('lstm.wgsl: the cell written once, run standalone or fused', () => {
    const cell = shaderVariant('lstm', read('lstm'), { FUSED: false });
    const fused = shaderVariant('lstm', read('lstm'), { FUSED: true });
    expect([cell.name, fused.name]).toEqual(['lstm', 'lstm[FUSED]']);
    expect(entryPoints(cell.code)).toEqual(['lstm_cell_forward', 'lstm_cell_backward']);
    expect(entryPoints(fused.code)).toEqual(['lstm_step_forward', 'lstm_step_backward']);
    for (const { code } of [cell, fused]) {
      expect(count(code, /fn cell_forward\(/g)).toBe(1);
      expect(count(code, /fn cell_backward\(/g)).toBe(1);
    }
    expect(fused.code).toContain('return f_g[r] + rec;');
    expect(cell.code).not.toContain('f_w');
  });

  it('one tree reduction: only tree_sum.wgsl declares the workgroup sum array', () => {
    for (const name of ['reduce', 'cross_entropy', 'optimizer']) {
      expect(read(name)).not.toContain('var<workgroup> shared_sum');
      expect(read(name)).toMatch(/tree_sum\(t, /);
    }
    expect(read('tree_sum')).toContain('var<workgroup> shared_sum');
  });
});
