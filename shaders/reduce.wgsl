// Deterministic reductions (no atomics; every sum runs in a fixed order).
//   column_sum           db[n] (+)= Σ_m dy[m, n]      dy: (M, N), db: (N); one invocation per column;
//                        with use_copy the same value also into copy[n] (same buffer as db)
//   sum_squares_partial  partials[g] = Σ x[i]² over block g of RWG·ITEMS elements   x: (n)
//   sum_final            out[0] = Σ_g partials[g]     one workgroup
// The two-stage sum of squares also feeds the global gradient norm (optimizer.wgsl).

override WG: u32 = 64;
// Reduction workgroup size: a power of two.
override RWG: u32 = 256;
// Elements each invocation of sum_squares_partial adds.
override ITEMS: u32 = 256;

struct ColumnSumParams {
  dy_offset: u32,
  db_offset: u32,
  rows: u32,
  cols: u32,
  accumulate: u32,
  use_copy: u32,
  copy_offset: u32,
};
@group(0) @binding(0) var<uniform> cs: ColumnSumParams;
@group(0) @binding(1) var<storage, read> cs_dy: array<f32>;        // (M, N)
@group(0) @binding(2) var<storage, read_write> cs_db: array<f32>;  // (N)

@compute @workgroup_size(WG)
fn column_sum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = gid.x + gid.y * nwg.x * WG;
  if (n >= cs.cols) { return; }
  var s = 0.0;
  for (var m = 0u; m < cs.rows; m++) {
    s += cs_dy[cs.dy_offset + m * cs.cols + n];
  }
  let k = cs.db_offset + n;
  if (cs.accumulate != 0u) {
    cs_db[k] = cs_db[k] + s;
  } else {
    cs_db[k] = s;
  }
  if (cs.use_copy != 0u) {
    cs_db[cs.copy_offset + n] = cs_db[k];
  }
}

// tree_sum and its workgroup array come from shaders/tree_sum.wgsl (appended by the builder).

struct PartialParams {
  x_offset: u32,
  count: u32,
  partial_offset: u32,
};
@group(0) @binding(0) var<uniform> pp: PartialParams;
@group(0) @binding(1) var<storage, read> pp_x: array<f32>;                // (n)
@group(0) @binding(2) var<storage, read_write> pp_partials: array<f32>;   // (ceil(n / (RWG·ITEMS)))

@compute @workgroup_size(RWG)
fn sum_squares_partial(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3u) {
  let base = wg.x * RWG * ITEMS;
  var s = 0.0;
  for (var k = 0u; k < ITEMS; k++) {
    let i = base + k * RWG + t;
    if (i < pp.count) {
      let x = pp_x[pp.x_offset + i];
      s += x * x;
    }
  }
  let total = tree_sum(t, s);
  if (t == 0u) {
    pp_partials[pp.partial_offset + wg.x] = total;
  }
}

struct FinalParams {
  partial_offset: u32,
  partial_count: u32,
  out_offset: u32,
};
@group(0) @binding(0) var<uniform> fin: FinalParams;
@group(0) @binding(1) var<storage, read> fin_partials: array<f32>;    // (P)
@group(0) @binding(2) var<storage, read_write> fin_out: array<f32>;   // (1)

@compute @workgroup_size(RWG)
fn sum_final(@builtin(local_invocation_index) t: u32) {
  var s = 0.0;
  for (var g = t; g < fin.partial_count; g += RWG) {
    s += fin_partials[fin.partial_offset + g];
  }
  let total = tree_sum(t, s);
  if (t == 0u) {
    fin_out[fin.out_offset] = total;
  }
}
