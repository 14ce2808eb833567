// Batched matmul: C[p] (=|+=) act(op(A[p]) · op(B[p]) + bias), row-major f32.
// A (M, K) or, transposed, (K, M); B (K, N) or (N, K); C (M, N); bias (N); p < batch.
// Shapes, element offsets, strides and flags arrive in the uniform, so one pipeline
// serves every shape; global_invocation_id.z is the batch item p. Rows of A, B and C may lie
// further apart than their width (the steps a_sm, a_sk, b_sk, b_sn and ldc): matrices
// interleaved in a larger one, e.g. one sample's rows of a time-major (T, B, H) tensor.
//
// mm_16x8: each invocation owns a 16x8 block of C held in eight mat4x4f registers and
// reads A and B as vec4 (the host picks it only when the vectorised dimensions and offsets
// are multiples of 4). Its layout is structural (src/gpu/shader.ts): TRANS_A gives TN,
// TRANS_B gives NT, neither NN; the operand helpers below are the only code that differs. Rows and columns past the edge are clamped
// for loads and skipped for stores, so the K loop has no bounds checks. No workgroup memory
// or barriers: on CPU adapters (SwiftShader) register blocking pays and barriers cost.
// mm_generic: any layout and alignment, 4x4 block, scalar loads.

override WGX: u32 = 8;   // mm_generic: a WGX x WGY grid of 4x4 blocks
override WGY: u32 = 8;
override WG: u32 = 16;   // mm_16x8: invocations per workgroup, one 16x8 block each

struct Params {
  M: u32, N: u32, K: u32, flags: u32,
  a_off: u32, b_off: u32, c_off: u32, bias_off: u32,
  stride_a: u32, stride_b: u32, stride_c: u32, ldc: u32,   // ldc: elements between rows of C
  a_sm: u32, a_sk: u32, b_sk: u32, b_sn: u32,   // element steps: A(m,k) = a_sm*m + a_sk*k, B(k,n) = b_sk*k + b_sn*n
  batch: u32,                                   // batch items (the quad kernel numbers its quads over all of them)
};

const FLAG_BIAS: u32 = 1u;
const FLAG_ACCUMULATE: u32 = 2u;
const ACT_SHIFT: u32 = 2u; // 0 none, 1 relu, 2 tanh, 3 sigmoid
// BIAS holds y = tanh(·) laid out as C: the result becomes result ⊙ (1 − y²), taken back through that tanh.
const FLAG_TANH_GRAD: u32 = 16u;

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
    // tanh(±15) is ±1 in f32; the clamp keeps exp-based tanh implementations finite.
    case 2u: { return tanh(clamp(x, vec4f(-15.0), vec4f(15.0))); }
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
  let row = c_base + m * P.ldc;
  if ((P.flags & FLAG_TANH_GRAD) != 0u) {
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < P.N) {
        let y = BIAS[P.bias_off + (row - P.c_off) + n0 + j];
        v[j] *= 1.0 - y * y;
      }
    }
  }
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

// ---- operands, per layout ----------------------------------------------------------
// A tile is a mat4x4f whose column r holds rows m+r of op(A) over k..k+3 (a_tile), or
// whose column j holds row k+j of op(B) over columns n..n+3 (b_tile); the product of
// b_tile and a_tile is then the 4x4 block of C for (m.., n..), column r being row m+r.
// Each is read as four vec4 loads at `h + off`: h (a_handle, b_handle) holds the vec4
// indices of the first tile, and `off` grows by a_step or b_step per four k.

// vec4 indices of rows m..m+3 (clamped to `last`) of a row-major matrix whose rows are ld4 vec4s apart.
fn row_index(base: u32, m: u32, last: u32, ld4: u32) -> vec4u {
  return vec4u(base) + clamp4(m, last) * ld4;
}

// The vec4 group of columns c..c+3 (clamped to the last of `n4` groups) in four
// consecutive rows, ld4 vec4s apart.
fn column_index(base: u32, c: u32, n4: u32, ld4: u32) -> vec4u {
  return vec4u(base + min(c / 4u, n4 - 1u)) + vec4u(0u, 1u, 2u, 3u) * ld4;
}

fn a_load(h: vec4u, off: u32) -> mat4x4f {
  return mat4x4f(A4[h.x + off], A4[h.y + off], A4[h.z + off], A4[h.w + off]);
}
fn b_load(h: vec4u, off: u32) -> mat4x4f {
  return mat4x4f(B4[h.x + off], B4[h.y + off], B4[h.z + off], B4[h.w + off]);
}

#if ${TRANS_A}
// A (K, M), M and its row stride a_sk multiples of 4: four k-rows of the vec4 over m..m+3, transposed.
fn a_handle(base: u32, m: u32) -> vec4u { return column_index(base, m, P.M / 4u, P.a_sk / 4u); }
fn a_step() -> u32 { return P.a_sk; }
fn a_tile(h: vec4u, off: u32) -> mat4x4f { return transpose(a_load(h, off)); }
#else
// A (M, K), K and its row stride a_sm multiples of 4: rows m..m+3, each a vec4 over k..k+3.
fn a_handle(base: u32, m: u32) -> vec4u { return row_index(base, m, P.M - 1u, P.a_sm / 4u); }
fn a_step() -> u32 { return 1u; }
fn a_tile(h: vec4u, off: u32) -> mat4x4f { return a_load(h, off); }
#endif

#if ${TRANS_B}
// B (N, K), K and its row stride b_sn multiples of 4: rows n..n+3, each a vec4 over k..k+3, transposed.
fn b_handle(base: u32, n: u32) -> vec4u { return row_index(base, n, P.N - 1u, P.b_sn / 4u); }
fn b_step() -> u32 { return 1u; }
fn b_tile(h: vec4u, off: u32) -> mat4x4f { return transpose(b_load(h, off)); }
#else
// B (K, N), N and its row stride b_sk multiples of 4: four k-rows of the vec4 over n..n+3.
fn b_handle(base: u32, n: u32) -> vec4u { return column_index(base, n, P.N / 4u, P.b_sk / 4u); }
fn b_step() -> u32 { return P.b_sk; }
fn b_tile(h: vec4u, off: u32) -> mat4x4f { return b_load(h, off); }
#endif

// ---- the 16x8 kernel -----------------------------------------------------------------

@compute @workgroup_size(WG)
fn mm_16x8(@builtin(global_invocation_id) gid: vec3u) {
  let block = first_block(gid.x);
  let m0 = block.x;
  let n0 = block.y;
  if (m0 >= P.M) { return; }
  let p = gid.z;
  let a_base = (P.a_off + p * P.stride_a) / 4u;
  let b_base = (P.b_off + p * P.stride_b) / 4u;
  let ha0 = a_handle(a_base, m0);
  let ha1 = a_handle(a_base, m0 + 4u);
  let ha2 = a_handle(a_base, m0 + 8u);
  let ha3 = a_handle(a_base, m0 + 12u);
  let hb0 = b_handle(b_base, n0);
  let hb1 = b_handle(b_base, n0 + 4u);
  let da = a_step();
  let db = b_step();
  let K4 = P.K / 4u;
  var c: Block;
  for (var k4 = 0u; k4 < K4; k4++) {
    let b0 = b_tile(hb0, k4 * db);
    let b1 = b_tile(hb1, k4 * db);
    let a0 = a_tile(ha0, k4 * da);
    c.c00 += b0 * a0;
    c.c01 += b1 * a0;
    let a1 = a_tile(ha1, k4 * da);
    c.c10 += b0 * a1;
    c.c11 += b1 * a1;
    let a2 = a_tile(ha2, k4 * da);
    c.c20 += b0 * a2;
    c.c21 += b1 * a2;
    let a3 = a_tile(ha3, k4 * da);
    c.c30 += b0 * a3;
    c.c31 += b1 * a3;
  }
#if ${TRANS_A}
  // TN takes any K: the last K % 4 one k at a time (B's vec4 over n, A's over m).
  let M4 = P.a_sk / 4u;   // vec4s between k-rows of A and of B
  let N4 = P.b_sk / 4u;
  for (var k = K4 * 4u; k < P.K; k++) {
    let b0 = B4[hb0.x + k * N4];
    let b1 = B4[hb1.x + k * N4];
    let a = mat4x4f(A4[ha0.x + k * M4], A4[ha1.x + k * M4], A4[ha2.x + k * M4], A4[ha3.x + k * M4]);
    c.c00 += outer(b0, a[0]);
    c.c01 += outer(b1, a[0]);
    c.c10 += outer(b0, a[1]);
    c.c11 += outer(b1, a[1]);
    c.c20 += outer(b0, a[2]);
    c.c21 += outer(b1, a[2]);
    c.c30 += outer(b0, a[3]);
    c.c31 += outer(b1, a[3]);
  }
#endif
  store_blocks(p, m0, n0, c);
}

// The 4x4 block b ⊗ a: column r is b·a[r].
fn outer(b: vec4f, a: vec4f) -> mat4x4f {
  return mat4x4f(b * a.x, b * a.y, b * a.z, b * a.w);
}
