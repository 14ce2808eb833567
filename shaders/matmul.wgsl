// Batched matmul: C[p] (=|+=) act(op(A[p]) · op(B[p]) + bias), row-major f32.
// A (M, K) or, transposed, (K, M); B (K, N) or (N, K); C (M, N); bias (N); p < batch.
// Shapes, element offsets, strides and flags arrive in the uniform, so one pipeline
// serves every shape. Each invocation owns a 4x4 block of C in registers; workgroup_id.z
// is the batch item.

override WGX: u32 = 8;
override WGY: u32 = 8;

struct Params {
  M: u32, N: u32, K: u32, flags: u32,
  a_off: u32, b_off: u32, c_off: u32, bias_off: u32,
  stride_a: u32, stride_b: u32, stride_c: u32, _pad0: u32,
  a_sm: u32, a_sk: u32, b_sk: u32, b_sn: u32,   // element steps: A(m,k) = a_sm*m + a_sk*k, B(k,n) = b_sk*k + b_sn*n
};

const FLAG_BIAS: u32 = 1u;
const FLAG_ACCUMULATE: u32 = 2u;
const ACT_SHIFT: u32 = 2u; // 0 none, 1 relu, 2 tanh, 3 sigmoid

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> BIAS: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

fn act(x: vec4f) -> vec4f {
  switch ((P.flags >> ACT_SHIFT) & 3u) {
    case 1u: { return max(x, vec4f(0.0)); }
    case 2u: { return tanh(x); }
    case 3u: { return 1.0 / (1.0 + exp(-x)); }
    default: { return x; }
  }
}

// Writes row m of a block, columns n0..n0+3 (those < N).
fn store_row(c_base: u32, m: u32, n0: u32, v_in: vec4f) {
  if (m >= P.M) { return; }
  var v = v_in;
  if ((P.flags & FLAG_BIAS) != 0u) {
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < P.N) { v[j] += BIAS[P.bias_off + n0 + j]; }
    }
  }
  let row = c_base + m * P.N;
  if ((P.flags & FLAG_ACCUMULATE) != 0u) {
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < P.N) { C[row + n0 + j] += v[j]; }
    }
  } else {
    v = act(v);
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < P.N) { C[row + n0 + j] = v[j]; }
    }
  }
}

// Any layout (through the element steps), every edge checked.
@compute @workgroup_size(WGX, WGY)
fn mm_generic(@builtin(global_invocation_id) gid: vec3u) {
  let m0 = gid.y * 4u;
  let n0 = gid.x * 4u;
  if (m0 >= P.M || n0 >= P.N) { return; }
  let p = gid.z;
  let a_base = P.a_off + p * P.stride_a;
  let b_base = P.b_off + p * P.stride_b;
  // Clamp out-of-range rows/columns to the last valid one: loads stay in bounds, stores skip them.
  let mr = vec4u(min(vec4u(m0) + vec4u(0u, 1u, 2u, 3u), vec4u(P.M - 1u)));
  let nc = vec4u(min(vec4u(n0) + vec4u(0u, 1u, 2u, 3u), vec4u(P.N - 1u)));
  let ai = vec4u(a_base) + mr * P.a_sm;
  let bi = vec4u(b_base) + nc * P.b_sn;
  var c0 = vec4f(0.0);
  var c1 = vec4f(0.0);
  var c2 = vec4f(0.0);
  var c3 = vec4f(0.0);
  for (var k = 0u; k < P.K; k++) {
    let ak = k * P.a_sk;
    let bk = k * P.b_sk;
    let b = vec4f(B[bi.x + bk], B[bi.y + bk], B[bi.z + bk], B[bi.w + bk]);
    c0 += A[ai.x + ak] * b;
    c1 += A[ai.y + ak] * b;
    c2 += A[ai.z + ak] * b;
    c3 += A[ai.w + ak] * b;
  }
  let c_base = P.c_off + p * P.stride_c;
  store_row(c_base, m0, n0, c0);
  store_row(c_base, m0 + 1u, n0, c1);
  store_row(c_base, m0 + 2u, n0, c2);
  store_row(c_base, m0 + 3u, n0, c3);
}
