// `seq2seq bench` in tiny mode through the harness: the report has every key, its numbers
// are finite and positive, a training step is one submit and creates no bind group.
// Speed is never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../../src/runtimes/chrome/harness.ts';
import { benchPlan } from '../../src/bench/plan.ts';
import type { PageBenchReport, ProfileReport } from '../../src/bench/run.ts';
import { bench, recurrenceRatios } from '../../src/cli/commands/bench.ts';
import type { Io } from '../../src/cli/command.ts';
import { MODEL_NAMES, MODEL_SPECS, modelSpec } from '../../src/specs/index.ts';
import { defaultsFor } from '../../src/config/config.ts';
import { OP_KIT } from '../../src/check/cases/index.ts';

let h: Harness;
let report: PageBenchReport;

beforeAll(async () => {
  h = await openHarness();
  report = await h.call<PageBenchReport>('/src/bench/run.ts', 'runBench', benchPlan('tiny'));
}, 900_000); // the whole tiny plan: matmul, every op, two models
afterAll(async () => {
  await h?.close();
});

const positive = (x: unknown, what: string) => {
  expect(typeof x, what).toBe('number');
  expect(Number.isFinite(x as number) && (x as number) > 0, `${what} = ${String(x)}`).toBe(true);
};

function checkProfile(p: ProfileReport | null, dispatches: number, what: string) {
  if (p === null) return; // the device has no timestamp queries
  positive(p.gpu_ms_per_step, `${what}.gpu_ms_per_step`);
  expect(p.kernels.reduce((a, k) => a + k.calls_per_step, 0)).toBe(dispatches);
  expect(p.by_pipeline.reduce((a, k) => a + k.calls_per_step, 0)).toBe(dispatches);
  for (const k of p.kernels) {
    expect(k.name).toBeTruthy();
    expect(k.kernel).toBeTruthy();
    positive(k.calls_per_step, `${what} ${k.name}.calls_per_step`);
    expect(Number.isFinite(k.median_us_per_call) && k.median_us_per_call >= 0).toBe(true);
    expect(Number.isFinite(k.total_ms_per_step) && k.total_ms_per_step >= 0).toBe(true);
  }
  // Time-indexed labels collapse: no role name keeps a digit after ".t".
  expect(p.kernels.some((k) => /\.t\d+\./.test(k.name))).toBe(false);
}

describe('bench page function (tiny plan)', () => {
  it('reports the adapter and matmul throughput', () => {
    expect(typeof report.adapter.vendor).toBe('string');
    expect(typeof report.adapter.architecture).toBe('string');
    expect(typeof report.adapter.is_fallback).toBe('boolean');
    expect(report.matmul).not.toBeNull();
    positive(report.matmul!.gflops_by_size['64'], 'matmul gflops at 64');
    // The 16x8 kernel timed beside it, and their ratio.
    const base = report.matmul!.baseline_16x8_gflops_by_size['64'];
    positive(base, 'the 16x8 kernel at 64');
    expect(report.matmul!.speedup_vs_16x8_by_size['64']).toBeCloseTo(report.matmul!.gflops_by_size['64'] / base, 1);
    // The workgroup-memory tiled kernel is timed beside them (SwiftShader's limits allow it), and the choice recorded.
    expect(report.matmul!.results.filter((r) => r.size === 64).map((r) => r.variant).sort()).toEqual(['auto', 'nn16x8-wg16', 'tiled64']);
    positive(report.matmul!.tiled_gflops_by_size['64'], 'the tiled kernel at 64');
    expect(report.matmul!.kernel_choice['64']).toBe(report.matmul!.results.find((r) => r.size === 64 && r.variant === 'auto')!.kernel);
    // On the software adapter matmul() keeps the register-blocked kernels.
    if (report.adapter.is_fallback) expect(report.matmul!.kernel_choice['64']).not.toBe('tiled64');
    expect(typeof report.subgroups).toBe('boolean');
  });

  it('checks every op against its float64 reference, then times it', () => {
    const ops = report.ops!;
    expect(ops.config).toEqual({ batch_size: 4, hidden_size: 16, embedding_size: 8, vocab_size: 20, max_length: 5 });
    expect(ops.results.map((r) => r.op)).toEqual(OP_KIT.map((e) => e.op));
    for (const r of ops.results) {
      expect(r.worst_error_vs_tolerance, r.op).toBeLessThanOrEqual(1);
      positive(r.us_per_call, `${r.op}.us_per_call`);
      positive(r.gb_per_s, `${r.op}.gb_per_s`);
      positive(r.dispatches, `${r.op}.dispatches`);
      if (r.op.startsWith('lstm_step') || r.op.startsWith('lstm_sequence') || r.op.startsWith('matmul')) positive(r.gflop_per_s, `${r.op}.gflop_per_s`);
      else expect(r.gflop_per_s, r.op).toBeNull();
    }
    // The scatter is four dispatches, cross-entropy three, the gradient norm two.
    const by = Object.fromEntries(ops.results.map((r) => [r.op, r.dispatches]));
    expect([by.embedding_scatter, by.cross_entropy, by.grad_norm, by.adam]).toEqual([4, 3, 2, 1]);
  });

  it('reports both models with sound counts', () => {
    const twins = MODEL_SPECS.filter((s) => s.recurrence).map((s) => `${s.name}_default_steps`);
    expect(Object.keys(report.models).sort()).toEqual([...MODEL_NAMES.map((n) => `${n}_default`), ...twins].sort());
    for (const [name, m] of Object.entries(report.models)) {
      const t = m.train_step;
      expect(t.submits_per_step, name).toBe(1);
      expect(t.bind_groups_per_step, name).toBe(0);
      expect(t.dispatches_per_step_measured, name).toBe(t.dispatches);
      expect(t.dispatches, name).toBe(t.model_dispatches + t.optimizer_dispatches);
      for (const key of ['dispatches', 'model_dispatches', 'optimizer_dispatches', 'bind_groups_at_record', 'fixed_dispatches', 'ms_per_step', 'ms_per_step_min', 'ms_per_step_max', 'ms_per_step_with_batch', 'steps_per_s', 'final_loss'] as const) {
        positive(t[key], `${name}.train_step.${key}`);
      }
      expect(t.dispatches_per_time_step_and_layer_method).toMatch(/fixed/);
      positive(m.parameters, `${name}.parameters`);
      positive(m.decode_step.dispatches, `${name}.decode_step.dispatches`);
      positive(m.decode_step.ms_per_call, `${name}.decode_step.ms_per_call`);
      checkProfile(t.profile, t.dispatches, `${name}.train_step`);
      checkProfile(m.decode_step.profile, m.decode_step.dispatches, `${name}.decode_step`);
    }
  });

  it('records lstm and attn both ways: no dispatch per time step with recurrence=sequence, fewer in all', () => {
    for (const name of ['lstm_default', 'attn_default']) {
      const [seq, steps] = [report.models[name], report.models[`${name}_steps`]];
      expect([seq.config.recurrence, steps.config.recurrence], name).toEqual(['sequence', 'steps']);
      expect(seq.train_step.fixed_dispatches, name).toBe(seq.train_step.model_dispatches);
      expect(seq.train_step.dispatches_per_time_step_and_layer, name).toBe(0);
      expect(seq.train_step.dispatches_per_time_step_and_layer_by_difference, name).toBe(0);
      expect(seq.train_step.dispatches, name).toBeLessThan(steps.train_step.dispatches);
    }
    const ratios = recurrenceRatios(report);
    expect(Object.keys(ratios).sort()).toEqual(['attn_default', 'lstm_default']);
    for (const [name, r] of Object.entries(ratios)) positive(r, `recurrence_ratio.${name}`);
  });

  it('times greedy decoding recorded both ways side by side, for lstm and attn', () => {
    for (const [name, m] of Object.entries(report.models)) {
      const r = m.decode_recordings;
      if (!modelSpec(m.config.model).recurrence || m.config.recurrence === 'steps') {
        expect(r, name).toBeNull();
        continue;
      }
      expect(r, name).not.toBeNull();
      expect([r!.sequence.recorded, r!.steps.recorded], name).toEqual(['sequence', 'steps']);
      // At least one dispatch per decode step fewer (test/gpu/greedy_decode.test.ts counts them exactly).
      expect(r!.steps.dispatches - r!.sequence.dispatches, name).toBeGreaterThanOrEqual(m.config.max_length + 1);
      expect(r!.dispatch_ratio, name).toBeCloseTo(r!.steps.dispatches / r!.sequence.dispatches, 2);
      for (const row of [r!.sequence, r!.steps]) positive(row.ms_per_batch, `${name} decode ms per batch`);
      positive(r!.ms_ratio, `${name}.decode_recordings.ms_ratio`);
    }
  });

  it('derives dispatches per time step and layer from the counts it reports', () => {
    for (const [name, m] of Object.entries(report.models)) {
      if (m.config.recurrence === 'sequence' && modelSpec(m.config.model).recurrence) continue;
      const t = m.train_step;
      const S = m.config.max_length;
      const layers = modelSpec(m.config.model).stepLayers({ ...defaultsFor(m.config.model), ...m.config });
      if (layers === 0) continue; // a model that does not step through time
      expect(t.fixed_dispatches, name).toBeLessThan(t.model_dispatches);
      expect(t.dispatches_per_time_step_and_layer, name).toBeCloseTo((t.model_dispatches - t.fixed_dispatches) / (2 * S + 1) / layers, 3);
      positive(t.dispatches_per_time_step_and_layer_by_difference, `${name} by difference`);
      // Both methods agree to within the one time step that may lack a kernel.
      expect(Math.abs(t.dispatches_per_time_step_and_layer - t.dispatches_per_time_step_and_layer_by_difference), name).toBeLessThan(1);
    }
    expect(report.models.lstm_default.config.layers).toBe(2);
  });
});

describe('seq2seq bench (command line)', () => {
  const io = (): Io & { out: string[]; err: string[] } => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdin: async () => '' };
  };

  it('refuses an --out in a missing directory with one sentence', async () => {
    await expect(bench.run(['--out', '/nonexistent-dir/x.json'], io())).rejects.toThrow(/does not exist\.$/);
  });

  it('refuses unknown options', async () => {
    await expect(bench.run(['--fast'], io())).rejects.toThrow(/Unknown option --fast/);
  });
});
