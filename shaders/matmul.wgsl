// Batched matmul: C[p] (=|+=) act(op(A[p]) · op(B[p]) + bias), row-major f32.
// A (M, K) or, transposed, (K, M); B (K, N) or (N, K); C (M, N); bias (N); p < batch.
// Shapes, element offsets, strides and flags arrive in the uniform, so one pipeline
// serves every shape; global_invocation_id.z is the batch item p.
//
// mm_nn, mm_nt, mm_tn: each invocation owns a 16x8 block of C held in eight mat4x4f
// registers and reads A and B as vec4 (the host picks them only when the vectorised
// dimensions and offsets are multiples of 4). Rows and columns past the edge are clamped
// for loads and skipped for stores, so the K loop has no bounds checks. No workgroup memory
// or barriers: on CPU adapters (SwiftShader) register blocking pays and barriers cost.
// mm_generic: any layout and alignment, 4x4 block, scalar loads.

override WGX: u32 = 8;   // mm_generic: a WGX x WGY grid of 4x4 blocks
override WGY: u32 = 8;
override WG: u32 = 16;   // mm_nn, mm_nt, mm_tn: invocations per workgroup, one 16x8 block each

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
@group(0) @binding(1) var<storage, read> A4: array<vec4f>;   // the same buffers, read as vec4
@group(0) @binding(2) var<storage, read> B4: array<vec4f>;
@group(0) @binding(3) var<storage, read> BIAS: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

fn act(x: vec4f) -> vec4f {
  return activation(x, (P.flags >> ACT_SHIFT) & 3u);
}

fn activation(x: vec4f, code: u32) -> vec4f {
  switch (code) {
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

// ---- 16x8 blocks, vec4 loads -------------------------------------------------------

// Block (i, j) of an invocation is 4 rows x 4 columns of C: acc[r] = C row m0+4i+r, columns n0+4j..+3.
fn store_block(c_base: u32, m: u32, n: u32, acc: mat4x4f) {
  store_row(c_base, m, n, acc[0]);
  store_row(c_base, m + 1u, n, acc[1]);
  store_row(c_base, m + 2u, n, acc[2]);
  store_row(c_base, m + 3u, n, acc[3]);
}

struct Block {
  c00: mat4x4f, c01: mat4x4f,
  c10: mat4x4f, c11: mat4x4f,
  c20: mat4x4f, c21: mat4x4f,
  c30: mat4x4f, c31: mat4x4f,
};

fn store_blocks(p: u32, m0: u32, n0: u32, c: Block) {
  let c_base = P.c_off + p * P.stride_c;
  store_block(c_base, m0, n0, c.c00);
  store_block(c_base, m0, n0 + 4u, c.c01);
  store_block(c_base, m0 + 4u, n0, c.c10);
  store_block(c_base, m0 + 4u, n0 + 4u, c.c11);
  store_block(c_base, m0 + 8u, n0, c.c20);
  store_block(c_base, m0 + 8u, n0 + 4u, c.c21);
  store_block(c_base, m0 + 12u, n0, c.c30);
  store_block(c_base, m0 + 12u, n0 + 4u, c.c31);
}

// The top-left corner (m0, n0) of invocation i's 16x8 block. Blocks are numbered row by row
// over a flat range, so no workgroup is left half idle when N is not a multiple of 8·WG.
fn first_block(i: u32) -> vec2u {
  let cols = (P.N + 7u) / 8u;
  return vec2u((i / cols) * 16u, (i % cols) * 8u);
}

// Four consecutive indices starting at `first`, clamped to `last`.
fn clamp4(first: u32, last: u32) -> vec4u {
  return min(vec4u(first) + vec4u(0u, 1u, 2u, 3u), vec4u(last));
}

// NN: A (M, K), B (K, N); K and N multiples of 4. acc += Bk · Am, where Am's columns are
// four rows of A over k..k+3 and Bk's columns are rows k..k+3 of B over four columns.
@compute @workgroup_size(WG)
fn mm_nn(@builtin(global_invocation_id) gid: vec3u) {
  let block = first_block(gid.x);
  let m0 = block.x;
  let n0 = block.y;
  if (m0 >= P.M) { return; }
  let p = gid.z;
  let K4 = P.K / 4u;
  let N4 = P.N / 4u;
  let a_base = (P.a_off + p * P.stride_a) / 4u;
  let b_base = (P.b_off + p * P.stride_b) / 4u;
  let ra0 = vec4u(a_base) + clamp4(m0, P.M - 1u) * K4;
  let ra1 = vec4u(a_base) + clamp4(m0 + 4u, P.M - 1u) * K4;
  let ra2 = vec4u(a_base) + clamp4(m0 + 8u, P.M - 1u) * K4;
  let ra3 = vec4u(a_base) + clamp4(m0 + 12u, P.M - 1u) * K4;
  let cb0 = b_base + min(n0 / 4u, N4 - 1u);
  let cb1 = b_base + min(n0 / 4u + 1u, N4 - 1u);
  var c: Block;
  for (var k4 = 0u; k4 < K4; k4++) {
    let kr = k4 * 4u * N4;
    let b0 = mat4x4f(B4[cb0 + kr], B4[cb0 + kr + N4], B4[cb0 + kr + 2u * N4], B4[cb0 + kr + 3u * N4]);
    let b1 = mat4x4f(B4[cb1 + kr], B4[cb1 + kr + N4], B4[cb1 + kr + 2u * N4], B4[cb1 + kr + 3u * N4]);
    let a0 = mat4x4f(A4[ra0.x + k4], A4[ra0.y + k4], A4[ra0.z + k4], A4[ra0.w + k4]);
    c.c00 += b0 * a0;
    c.c01 += b1 * a0;
    let a1 = mat4x4f(A4[ra1.x + k4], A4[ra1.y + k4], A4[ra1.z + k4], A4[ra1.w + k4]);
    c.c10 += b0 * a1;
    c.c11 += b1 * a1;
    let a2 = mat4x4f(A4[ra2.x + k4], A4[ra2.y + k4], A4[ra2.z + k4], A4[ra2.w + k4]);
    c.c20 += b0 * a2;
    c.c21 += b1 * a2;
    let a3 = mat4x4f(A4[ra3.x + k4], A4[ra3.y + k4], A4[ra3.z + k4], A4[ra3.w + k4]);
    c.c30 += b0 * a3;
    c.c31 += b1 * a3;
  }
  store_blocks(p, m0, n0, c);
}

// NT: A (M, K), B (N, K); K a multiple of 4. Both read as vec4 along K:
// acc += transpose(Bn) · Am, Bn's columns being four rows of B over k..k+3.
@compute @workgroup_size(WG)
fn mm_nt(@builtin(global_invocation_id) gid: vec3u) {
  let block = first_block(gid.x);
  let m0 = block.x;
  let n0 = block.y;
  if (m0 >= P.M) { return; }
  let p = gid.z;
  let K4 = P.K / 4u;
  let a_base = (P.a_off + p * P.stride_a) / 4u;
  let b_base = (P.b_off + p * P.stride_b) / 4u;
  let ra0 = vec4u(a_base) + clamp4(m0, P.M - 1u) * K4;
  let ra1 = vec4u(a_base) + clamp4(m0 + 4u, P.M - 1u) * K4;
  let ra2 = vec4u(a_base) + clamp4(m0 + 8u, P.M - 1u) * K4;
  let ra3 = vec4u(a_base) + clamp4(m0 + 12u, P.M - 1u) * K4;
  let rb0 = vec4u(b_base) + clamp4(n0, P.N - 1u) * K4;
  let rb1 = vec4u(b_base) + clamp4(n0 + 4u, P.N - 1u) * K4;
  var c: Block;
  for (var k4 = 0u; k4 < K4; k4++) {
    let b0 = transpose(mat4x4f(B4[rb0.x + k4], B4[rb0.y + k4], B4[rb0.z + k4], B4[rb0.w + k4]));
    let b1 = transpose(mat4x4f(B4[rb1.x + k4], B4[rb1.y + k4], B4[rb1.z + k4], B4[rb1.w + k4]));
    let a0 = mat4x4f(A4[ra0.x + k4], A4[ra0.y + k4], A4[ra0.z + k4], A4[ra0.w + k4]);
    c.c00 += b0 * a0;
    c.c01 += b1 * a0;
    let a1 = mat4x4f(A4[ra1.x + k4], A4[ra1.y + k4], A4[ra1.z + k4], A4[ra1.w + k4]);
    c.c10 += b0 * a1;
    c.c11 += b1 * a1;
    let a2 = mat4x4f(A4[ra2.x + k4], A4[ra2.y + k4], A4[ra2.z + k4], A4[ra2.w + k4]);
    c.c20 += b0 * a2;
    c.c21 += b1 * a2;
    let a3 = mat4x4f(A4[ra3.x + k4], A4[ra3.y + k4], A4[ra3.z + k4], A4[ra3.w + k4]);
    c.c30 += b0 * a3;
    c.c31 += b1 * a3;
  }
  store_blocks(p, m0, n0, c);
}

// TN: A (K, M), B (K, N); M and N multiples of 4, any K. Per k, A gives vec4s over m and B
// vec4s over n; four k at a time, acc += Bk · transpose(Ak) with both matrices' columns over k.
@compute @workgroup_size(WG)
fn mm_tn(@builtin(global_invocation_id) gid: vec3u) {
  let block = first_block(gid.x);
  let m0 = block.x;
  let n0 = block.y;
  if (m0 >= P.M) { return; }
  let p = gid.z;
  let M4 = P.M / 4u;
  let N4 = P.N / 4u;
  let a_base = (P.a_off + p * P.stride_a) / 4u;
  let b_base = (P.b_off + p * P.stride_b) / 4u;
  let ca = vec4u(a_base) + clamp4(m0 / 4u, M4 - 1u);
  let cb0 = b_base + min(n0 / 4u, N4 - 1u);
  let cb1 = b_base + min(n0 / 4u + 1u, N4 - 1u);
  var c: Block;
  var k = 0u;
  for (; k + 4u <= P.K; k += 4u) {
    let ka = k * M4;
    let kb = k * N4;
    let b0 = mat4x4f(B4[cb0 + kb], B4[cb0 + kb + N4], B4[cb0 + kb + 2u * N4], B4[cb0 + kb + 3u * N4]);
    let b1 = mat4x4f(B4[cb1 + kb], B4[cb1 + kb + N4], B4[cb1 + kb + 2u * N4], B4[cb1 + kb + 3u * N4]);
    let a0 = transpose(mat4x4f(A4[ca.x + ka], A4[ca.x + ka + M4], A4[ca.x + ka + 2u * M4], A4[ca.x + ka + 3u * M4]));
    c.c00 += b0 * a0;
    c.c01 += b1 * a0;
    let a1 = transpose(mat4x4f(A4[ca.y + ka], A4[ca.y + ka + M4], A4[ca.y + ka + 2u * M4], A4[ca.y + ka + 3u * M4]));
    c.c10 += b0 * a1;
    c.c11 += b1 * a1;
    let a2 = transpose(mat4x4f(A4[ca.z + ka], A4[ca.z + ka + M4], A4[ca.z + ka + 2u * M4], A4[ca.z + ka + 3u * M4]));
    c.c20 += b0 * a2;
    c.c21 += b1 * a2;
    let a3 = transpose(mat4x4f(A4[ca.w + ka], A4[ca.w + ka + M4], A4[ca.w + ka + 2u * M4], A4[ca.w + ka + 3u * M4]));
    c.c30 += b0 * a3;
    c.c31 += b1 * a3;
  }
  for (; k < P.K; k++) {
    let b0 = B4[cb0 + k * N4];
    let b1 = B4[cb1 + k * N4];
    let a = mat4x4f(A4[ca.x + k * M4], A4[ca.y + k * M4], A4[ca.z + k * M4], A4[ca.w + k * M4]);
    c.c00 += outer(b0, a[0]);
    c.c01 += outer(b1, a[0]);
    c.c10 += outer(b0, a[1]);
    c.c11 += outer(b1, a[1]);
    c.c20 += outer(b0, a[2]);
    c.c21 += outer(b1, a[2]);
    c.c30 += outer(b0, a[3]);
    c.c31 += outer(b1, a[3]);
  }
  store_blocks(p, m0, n0, c);
}

// The 4x4 block b ⊗ a: column r is b·a[r].
fn outer(b: vec4f, a: vec4f) -> mat4x4f {
  return mat4x4f(b * a.x, b * a.y, b * a.z, b * a.w);
}
