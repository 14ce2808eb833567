// Luong global attention, "general" score (SPEC §3 `attn`), forward and backward.
// Reference: src/reference/attention.ts (same names).
//   attention_weights           A_r = softmax over s < len(b) of q_r · K_s; 0 past the length
//   attention_context           cat_r = [Σ_s A_rs h̄_s ; q_r]
//   attention_weights_backward  dScore_rs = A_rs (dc_r·h̄_s − Σ_s' A_rs' dc_r·h̄_s')
//   attention_query_backward    dq_r = dcat_r[H:] + Σ_s dScore_rs K_s
//   attention_keys_backward     dK_sb = Σ_t dScore_(tB+b)s q_(tB+b),  dh̄_sb = Σ_t A_(tB+b)s dc_(tB+b)
// Letters: R query rows, S source positions, B samples, H hidden. Queries q (R, H), weights
// A and dScore (R, S), cat and dcat (R, 2H); encoder states h̄ and keys K (S, B, H), time-major.
// Row r belongs to sample b = (r / group) % B: group 1 for rows t·B + b, K for beam rows b·K + i.
//
// The score and the context are batched dot products over time-major states (row stride B·H),
// which the matmul kernels (contiguous rows) do not address, and S is small (<= max_length):
// one invocation per row (the softmax, fused) or per output element, plain loops over s and j.
// The weights row is fused: scores written to A, then max, exp and sum over s < len, then
// normalised in place, so padding gets exactly 0 and a length-1 row gets exactly 1.
// Lengths are clamped to [0, S]; a length of 0 gives an all-zero row (no NaN).
// Every output element has one writer and fixed loop orders: deterministic, no atomics.

override WG: u32 = 64;

struct Params {
  R: u32, S: u32, B: u32, H: u32,
  group: u32,
  off1: u32, off2: u32, off3: u32, off4: u32, off5: u32, off6: u32,  // element offset of binding k
};

@group(0) @binding(0) var<uniform> p: Params;

fn flat_index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

fn sample_of(r: u32) -> u32 {
  return (r / p.group) % p.B;
}

// Lengths are read as i32 and clamped to [0, S].
fn clamp_length(len: i32) -> u32 {
  return u32(clamp(len, 0, i32(p.S)));
}

fn state_index(s: u32, b: u32, j: u32) -> u32 {
  return (s * p.B + b) * p.H + j;
}

// ---- forward ----
@group(0) @binding(1) var<storage, read> fq: array<f32>;          // (R, H) queries
@group(0) @binding(2) var<storage, read> fkeys: array<f32>;       // (S, B, H)
@group(0) @binding(3) var<storage, read> flen: array<i32>;        // (B)
@group(0) @binding(4) var<storage, read_write> fA: array<f32>;    // (R, S)

@compute @workgroup_size(WG)
fn attention_weights(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat_index(gid, nwg);
  if (r >= p.R) { return; }
  let b = sample_of(r);
  let len = clamp_length(flen[p.off3 + b]);
  let q0 = p.off1 + r * p.H;
  let a0 = p.off4 + r * p.S;
  var mx = -3.0e38;
  for (var s = 0u; s < len; s++) {
    let k0 = p.off2 + state_index(s, b, 0u);
    var dot = 0.0;
    for (var j = 0u; j < p.H; j++) { dot += fq[q0 + j] * fkeys[k0 + j]; }
    fA[a0 + s] = dot;
    mx = max(mx, dot);
  }
  var z = 0.0;
  for (var s = 0u; s < len; s++) {
    let e = exp(fA[a0 + s] - mx);
    fA[a0 + s] = e;
    z += e;
  }
  for (var s = 0u; s < p.S; s++) {
    fA[a0 + s] = select(0.0, fA[a0 + s] / z, s < len);
  }
}

@group(0) @binding(1) var<storage, read> cA: array<f32>;          // (R, S)
@group(0) @binding(2) var<storage, read> chbar: array<f32>;       // (S, B, H)
@group(0) @binding(3) var<storage, read> cq: array<f32>;          // (R, H)
@group(0) @binding(4) var<storage, read> clen: array<i32>;        // (B)
@group(0) @binding(5) var<storage, read_write> ccat: array<f32>;  // (R, 2H)

@compute @workgroup_size(WG)
fn attention_context(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= p.R * 2u * p.H) { return; }
  let r = i / (2u * p.H);
  let j = i % (2u * p.H);
  if (j >= p.H) {
    ccat[p.off5 + i] = cq[p.off3 + r * p.H + j - p.H];
    return;
  }
  let b = sample_of(r);
  let len = clamp_length(clen[p.off4 + b]);
  var c = 0.0;
  for (var s = 0u; s < len; s++) { c += cA[p.off1 + r * p.S + s] * chbar[p.off2 + state_index(s, b, j)]; }
  ccat[p.off5 + i] = c;
}

// ---- backward ----
@group(0) @binding(1) var<storage, read> wA: array<f32>;          // (R, S)
@group(0) @binding(2) var<storage, read> wdcat: array<f32>;       // (R, 2H)
@group(0) @binding(3) var<storage, read> whbar: array<f32>;       // (S, B, H)
@group(0) @binding(4) var<storage, read> wlen: array<i32>;        // (B)
@group(0) @binding(5) var<storage, read_write> wdS: array<f32>;   // (R, S)

@compute @workgroup_size(WG)
fn attention_weights_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat_index(gid, nwg);
  if (r >= p.R) { return; }
  let b = sample_of(r);
  let len = clamp_length(wlen[p.off4 + b]);
  let a0 = p.off1 + r * p.S;
  let g0 = p.off2 + r * 2u * p.H;
  let d0 = p.off5 + r * p.S;
  var sum = 0.0;
  for (var s = 0u; s < len; s++) {
    let h0 = p.off3 + state_index(s, b, 0u);
    var da = 0.0;
    for (var j = 0u; j < p.H; j++) { da += wdcat[g0 + j] * whbar[h0 + j]; }
    wdS[d0 + s] = da;
    sum += wA[a0 + s] * da;
  }
  for (var s = 0u; s < p.S; s++) {
    wdS[d0 + s] = select(0.0, wA[a0 + s] * (wdS[d0 + s] - sum), s < len);
  }
}

@group(0) @binding(1) var<storage, read> qdS: array<f32>;         // (R, S)
@group(0) @binding(2) var<storage, read> qkeys: array<f32>;       // (S, B, H)
@group(0) @binding(3) var<storage, read> qdcat: array<f32>;       // (R, 2H)
@group(0) @binding(4) var<storage, read> qlen: array<i32>;        // (B)
@group(0) @binding(5) var<storage, read_write> qdq: array<f32>;   // (R, H)

@compute @workgroup_size(WG)
fn attention_query_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= p.R * p.H) { return; }
  let r = i / p.H;
  let j = i % p.H;
  let b = sample_of(r);
  let len = clamp_length(qlen[p.off4 + b]);
  var v = qdcat[p.off3 + r * 2u * p.H + p.H + j];
  for (var s = 0u; s < len; s++) { v += qdS[p.off1 + r * p.S + s] * qkeys[p.off2 + state_index(s, b, j)]; }
  qdq[p.off5 + i] = v;
}

@group(0) @binding(1) var<storage, read> kdS: array<f32>;         // (R, S)
@group(0) @binding(2) var<storage, read> kA: array<f32>;          // (R, S)
@group(0) @binding(3) var<storage, read> kq: array<f32>;          // (R, H)
@group(0) @binding(4) var<storage, read> kdcat: array<f32>;       // (R, 2H)
@group(0) @binding(5) var<storage, read_write> kdK: array<f32>;   // (S, B, H)
@group(0) @binding(6) var<storage, read_write> kdh: array<f32>;   // (S, B, H)

// Rows are time-major (group 1): sample b's rows are b, B + b, 2B + b, ...
@compute @workgroup_size(WG)
fn attention_keys_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= p.S * p.B * p.H) { return; }
  let j = i % p.H;
  let b = (i / p.H) % p.B;
  let s = i / (p.H * p.B);
  var dk = 0.0;
  var dh = 0.0;
  for (var r = b; r < p.R; r += p.B) {
    dk += kdS[p.off1 + r * p.S + s] * kq[p.off3 + r * p.H + j];
    dh += kA[p.off2 + r * p.S + s] * kdcat[p.off4 + r * 2u * p.H + j];
  }
  kdK[p.off5 + i] = dk;
  kdh[p.off6 + i] = dh;
}
