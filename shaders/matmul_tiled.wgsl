// Batched matmul through workgroup memory, the classic two-level tiling, for hardware
// adapters: C[p] (=|+=) act(op(A[p]) · op(B[p]) + bias). Same uniform and bindings as
// matmul.wgsl, any layout and alignment (element steps), every edge checked.
//
// Level 1: a 16x16 workgroup owns a 64x64 tile of C and walks K in slices of 16, staging
// the 64x16 slice of A and the 16x64 slice of B in workgroup memory (each element loaded
// once per workgroup instead of once per invocation). Level 2: each invocation keeps a
// 4x4 block of C in registers, its rows and columns strided by 16, so neighbouring
// invocations read neighbouring workgroup-memory words and write neighbouring columns of C.
// The slice rows are padded to 65 words so that the transposing stores do not all hit
// one bank. On CPU adapters (SwiftShader) the barriers cost more than the sharing saves:
// there the register-blocked kernels of matmul.wgsl stay (src/ops/matmul_tiled.ts).

override WGX: u32 = 16u;   // must stay 16 x 16: the tile arrays below are sized for it
override WGY: u32 = 16u;

const TM: u32 = 64u;       // C tile rows per workgroup
const TN: u32 = 64u;       // C tile columns per workgroup
const TK: u32 = 16u;       // K slice per stage
const ROW: u32 = 65u;      // padded slice row, in words
const LOADS: u32 = 4u;     // elements of each slice one invocation loads (64 * 16 / 256)

struct Params {
  M: u32, N: u32, K: u32, flags: u32,
  a_off: u32, b_off: u32, c_off: u32, bias_off: u32,
  stride_a: u32, stride_b: u32, stride_c: u32, ldc: u32,
  a_sm: u32, a_sk: u32, b_sk: u32, b_sn: u32,   // element steps: A(m,k) = a_sm*m + a_sk*k, B(k,n) = b_sk*k + b_sn*n
};

const FLAG_BIAS: u32 = 1u;
const FLAG_ACCUMULATE: u32 = 2u;
const ACT_SHIFT: u32 = 2u; // 0 none, 1 relu, 2 tanh, 3 sigmoid
const FLAG_TANH_GRAD: u32 = 16u; // BIAS holds y = tanh(·) laid out as C: result ⊙ (1 − y²)

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> BIAS: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

var<workgroup> As: array<f32, 1040>;   // (TK, ROW): As[k * ROW + m], m < TM
var<workgroup> Bs: array<f32, 1040>;   // (TK, ROW): Bs[k * ROW + n], n < TN

fn load_a(base: u32, m: u32, k: u32) -> f32 {
  if (m < P.M && k < P.K) { return A[base + m * P.a_sm + k * P.a_sk]; }
  return 0.0;
}

fn load_b(base: u32, k: u32, n: u32) -> f32 {
  if (k < P.K && n < P.N) { return B[base + k * P.b_sk + n * P.b_sn]; }
  return 0.0;
}

fn activation(x: f32, code: u32) -> f32 {
  switch (code) {
    case 1u: { return max(x, 0.0); }
    // tanh(±15) is ±1 in f32; the clamp keeps exp-based tanh implementations finite.
    case 2u: { return tanh(clamp(x, -15.0, 15.0)); }
    case 3u: { return 1.0 / (1.0 + exp(-x)); }
    default: { return x; }
  }
}

// Writes C(m, n) through the epilogue (bias, then accumulate or activation).
fn store(c_base: u32, m: u32, n: u32, v: f32) {
  if (m >= P.M || n >= P.N) { return; }
  var x = v;
  if ((P.flags & FLAG_BIAS) != 0u) { x += BIAS[P.bias_off + n]; }
  let i = c_base + m * P.ldc + n;
  if ((P.flags & FLAG_TANH_GRAD) != 0u) {
    let y = BIAS[P.bias_off + (i - P.c_off)];
    x *= 1.0 - y * y;
  }
  if ((P.flags & FLAG_ACCUMULATE) != 0u) { C[i] += x; } else { C[i] = activation(x, (P.flags >> ACT_SHIFT) & 3u); }
}

// Stages slice k0 of A and B. Consecutive invocations take consecutive addresses of the
// layout's contiguous dimension (k for NN/NT A, m for TN A; n for NN/TN B, k for NT B).
fn stage(t: u32, m_tile: u32, n_tile: u32, k0: u32, a_base: u32, b_base: u32) {
  for (var r = 0u; r < LOADS; r++) {
    let i = t + r * WGX * WGY;
    var m = i % TM;
    var ka = i / TM;
    if (P.a_sk == 1u) { m = i / TK; ka = i % TK; }
    As[ka * ROW + m] = load_a(a_base, m_tile + m, k0 + ka);
    var n = i % TN;
    var kb = i / TN;
    if (P.b_sk == 1u && P.b_sn != 1u) { n = i / TK; kb = i % TK; }
    Bs[kb * ROW + n] = load_b(b_base, k0 + kb, n_tile + n);
  }
}

@compute @workgroup_size(WGX, WGY)
fn mm_tiled(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let p = wid.z;
  let m_tile = wid.y * TM;
  let n_tile = wid.x * TN;
  let a_base = P.a_off + p * P.stride_a;
  let b_base = P.b_off + p * P.stride_b;
  let t = lid.y * WGX + lid.x;
  // acc_i[j] = C(m_tile + lid.y + 16 i, n_tile + lid.x + 16 j)
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = 0u; k0 < P.K; k0 += TK) {
    stage(t, m_tile, n_tile, k0, a_base, b_base);
    workgroupBarrier();
    for (var k = 0u; k < TK; k++) {
      let row = k * ROW;
      let b = vec4f(Bs[row + lid.x], Bs[row + lid.x + 16u], Bs[row + lid.x + 32u], Bs[row + lid.x + 48u]);
      acc0 += As[row + lid.y] * b;
      acc1 += As[row + lid.y + 16u] * b;
      acc2 += As[row + lid.y + 32u] * b;
      acc3 += As[row + lid.y + 48u] * b;
    }
    workgroupBarrier();
  }
  let c_base = P.c_off + p * P.stride_c;
  let accs = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      store(c_base, m_tile + lid.y + 16u * i, n_tile + lid.x + 16u * j, accs[i][j]);
    }
  }
}
