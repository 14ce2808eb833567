// The quad-shared matmul kernel: appended to matmul.wgsl (Params, bindings, the operand
// helpers a_tile/b_tile of its layout, activation) behind `enable subgroups;`, used when the
// device has subgroups. One entry point, mm_quad; the layout comes from matmul.wgsl's
// TRANS_A / TRANS_B and the lane block's width W from WIDE (src/gpu/shader.ts).
//
// Four invocations of a quad (subgroup lanes 4i..4i+3) own a 32-row region of C in a 2x2
// arrangement: lane (qr, qc) = ((lane >> 1) & 1, lane & 1) computes 16 rows x W columns
// (W = 16 with WIDE, else 8). The two lanes of a row pair need the same 16 rows of A:
// each loads 8 and takes the other 8 from its partner with quadSwapX. The two lanes of a
// column pair need the same W columns of B: each loads half and takes the rest with
// quadSwapY. Each lane so loads half of what a lone 16xW block would, and register shuffles
// are far cheaper than loads wherever each lane's load is a gather (CPU adapters) or the
// loads are bandwidth-bound (GPUs). Layouts and edge rules as in matmul.wgsl: loads clamp
// to the last row/column, stores skip what lies outside C, and no lane leaves before the
// last quad operation (they need all four lanes).
//
// Accumulator c<i><j> holds rows rows[i] .. +3 and columns cols[j] .. +3, where rows are
// (own, own + 4, partner's, partner's + 4) and cols (own groups, then the partner's).
//
// C is written as vec4 (the host requires N, C's offset, ldc and stride to be multiples of 4) and
// the epilogue is fixed per pipeline by EPILOGUE instead of read from P.flags: on SwiftShader
// the runtime epilogue (branches on the uniform's flags, per row) took about a third of a
// 64x256x64 matmul's time.

// FLAG_BIAS | FLAG_ACCUMULATE | activation << ACT_SHIFT | FLAG_TANH_GRAD, as P.flags.
override EPILOGUE: u32 = 0u;

@group(0) @binding(4) var<storage, read_write> C4: array<vec4f>;

struct Quad {
  mo: u32, // first of the 8 rows this lane loads A for; mp: its partner's
  mp: u32,
  no: u32, // first of the W/2 columns this lane loads B for; np: its partner's
  np: u32,
};

// The region of quad number `quad` and this lane's place in it, for lane blocks 16 x w.
fn quad_place(quad: u32, lane: u32, w: u32) -> Quad {
  let qc = lane & 1u;
  let qr = (lane >> 1u) & 1u;
  let cols = (P.N + 2u * w - 1u) / (2u * w);
  let rm = (quad / cols) * 32u + 16u * qr;
  let rn = (quad % cols) * 2u * w + w * qc;
  return Quad(rm + 8u * qc, rm + 8u * (1u - qc), rn + (w / 2u) * qr, rn + (w / 2u) * (1u - qr));
}

// Quads are numbered in the order of their lanes' linear subgroup index, which is the local
// invocation index whenever only the last subgroup of a workgroup may be partial. The numbers
// run over all batch items, item p's quads after item p − 1's, so items with fewer quads than
// a workgroup holds (small per-sample matmuls) share workgroups instead of leaving quads idle.
fn quad_index(wid: vec3u, sgid: u32, lane: u32, sgsize: u32) -> u32 {
  return wid.x * WG + (sgid * sgsize + lane) / 4u;
}

fn swap_x(m: mat4x4f) -> mat4x4f {
  return mat4x4f(quadSwapX(m[0]), quadSwapX(m[1]), quadSwapX(m[2]), quadSwapX(m[3]));
}
fn swap_y(m: mat4x4f) -> mat4x4f {
  return mat4x4f(quadSwapY(m[0]), quadSwapY(m[1]), quadSwapY(m[2]), quadSwapY(m[3]));
}

struct Acc8 {
  c00: mat4x4f, c01: mat4x4f,
  c10: mat4x4f, c11: mat4x4f,
  c20: mat4x4f, c21: mat4x4f,
  c30: mat4x4f, c31: mat4x4f,
};

struct Acc16 {
  c00: mat4x4f, c01: mat4x4f, c02: mat4x4f, c03: mat4x4f,
  c10: mat4x4f, c11: mat4x4f, c12: mat4x4f, c13: mat4x4f,
  c20: mat4x4f, c21: mat4x4f, c22: mat4x4f, c23: mat4x4f,
  c30: mat4x4f, c31: mat4x4f, c32: mat4x4f, c33: mat4x4f,
};

// acc += b_j · a_i over the row groups a_i (this lane's two, then its partner's two) and the
// column groups b_j (this lane's one, then its partner's).
fn mac8(acc: ptr<function, Acc8>, a0: mat4x4f, a1: mat4x4f, b0: mat4x4f) {
  let a2 = swap_x(a0);
  let a3 = swap_x(a1);
  let b1 = swap_y(b0);
  (*acc).c00 += b0 * a0; (*acc).c01 += b1 * a0;
  (*acc).c10 += b0 * a1; (*acc).c11 += b1 * a1;
  (*acc).c20 += b0 * a2; (*acc).c21 += b1 * a2;
  (*acc).c30 += b0 * a3; (*acc).c31 += b1 * a3;
}

// The same with four column groups: b0, b1 this lane's, then its partner's two.
fn mac16(acc: ptr<function, Acc16>, a0: mat4x4f, a1: mat4x4f, b0: mat4x4f, b1: mat4x4f) {
  let a2 = swap_x(a0);
  let a3 = swap_x(a1);
  let b2 = swap_y(b0);
  let b3 = swap_y(b1);
  (*acc).c00 += b0 * a0; (*acc).c01 += b1 * a0; (*acc).c02 += b2 * a0; (*acc).c03 += b3 * a0;
  (*acc).c10 += b0 * a1; (*acc).c11 += b1 * a1; (*acc).c12 += b2 * a1; (*acc).c13 += b3 * a1;
  (*acc).c20 += b0 * a2; (*acc).c21 += b1 * a2; (*acc).c22 += b2 * a2; (*acc).c23 += b3 * a2;
  (*acc).c30 += b0 * a3; (*acc).c31 += b1 * a3; (*acc).c32 += b2 * a3; (*acc).c33 += b3 * a3;
}

// Rows m..m+3, columns n..n+3 of C (those inside it): + bias, then += into C or act() into C.
fn store_quad_block(c4: u32, m: u32, n: u32, acc: mat4x4f) {
  if (n >= P.N) { return; }
  let N4 = P.ldc / 4u;
  var bias = vec4f();
  if ((EPILOGUE & FLAG_BIAS) != 0u) {
    let o = P.bias_off + n;
    bias = vec4f(BIAS[o], BIAS[o + 1u], BIAS[o + 2u], BIAS[o + 3u]);
  }
  for (var r = 0u; r < 4u; r++) {
    if (m + r < P.M) {
      let i = c4 + (m + r) * N4 + n / 4u;
      var v = acc[r] + bias;
      if ((EPILOGUE & FLAG_TANH_GRAD) != 0u) {
        let o = P.bias_off + 4u * i - P.c_off; // y laid out as C
        let y = vec4f(BIAS[o], BIAS[o + 1u], BIAS[o + 2u], BIAS[o + 3u]);
        v *= 1.0 - y * y;
      }
      if ((EPILOGUE & FLAG_ACCUMULATE) != 0u) {
        C4[i] += v;
      } else {
        C4[i] = activation(v, (EPILOGUE >> ACT_SHIFT) & 3u);
      }
    }
  }
}

fn store8(p: u32, q: Quad, c: Acc8) {
  let c4 = (P.c_off + p * P.stride_c) / 4u;
  store_quad_block(c4, q.mo, q.no, c.c00); store_quad_block(c4, q.mo, q.np, c.c01);
  store_quad_block(c4, q.mo + 4u, q.no, c.c10); store_quad_block(c4, q.mo + 4u, q.np, c.c11);
  store_quad_block(c4, q.mp, q.no, c.c20); store_quad_block(c4, q.mp, q.np, c.c21);
  store_quad_block(c4, q.mp + 4u, q.no, c.c30); store_quad_block(c4, q.mp + 4u, q.np, c.c31);
}

fn store16(p: u32, q: Quad, c: Acc16) {
  let c4 = (P.c_off + p * P.stride_c) / 4u;
  store_quad_block(c4, q.mo, q.no, c.c00); store_quad_block(c4, q.mo, q.no + 4u, c.c01);
  store_quad_block(c4, q.mo, q.np, c.c02); store_quad_block(c4, q.mo, q.np + 4u, c.c03);
  store_quad_block(c4, q.mo + 4u, q.no, c.c10); store_quad_block(c4, q.mo + 4u, q.no + 4u, c.c11);
  store_quad_block(c4, q.mo + 4u, q.np, c.c12); store_quad_block(c4, q.mo + 4u, q.np + 4u, c.c13);
  store_quad_block(c4, q.mp, q.no, c.c20); store_quad_block(c4, q.mp, q.no + 4u, c.c21);
  store_quad_block(c4, q.mp, q.np, c.c22); store_quad_block(c4, q.mp, q.np + 4u, c.c23);
  store_quad_block(c4, q.mp + 4u, q.no, c.c30); store_quad_block(c4, q.mp + 4u, q.no + 4u, c.c31);
  store_quad_block(c4, q.mp + 4u, q.np, c.c32); store_quad_block(c4, q.mp + 4u, q.np + 4u, c.c33);
}

#if ${WIDE}
const W: u32 = 16u;
#else
const W: u32 = 8u;
#endif

// ---- the entry point: one 16 x W block per lane --------------------------------------

@compute @workgroup_size(WG * 4u)
fn mm_quad(@builtin(workgroup_id) wid: vec3u, @builtin(subgroup_id) sgid: u32,
           @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) sgsize: u32) {
  let quad = quad_index(wid, sgid, lane, sgsize);
  let per_item = max(1u, ((P.M + 31u) / 32u) * ((P.N + 2u * W - 1u) / (2u * W)));
  let p = min(quad / per_item, P.batch - 1u);
  var q = quad_place(quad % per_item, lane, W);
  // Quads past the last item load clamped rows and store nothing (they still join the swaps).
  if (quad >= per_item * P.batch) { q = Quad(P.M, P.M, q.no, q.np); }
  let a_base = (P.a_off + p * P.stride_a) / 4u;
  let b_base = (P.b_off + p * P.stride_b) / 4u;
  let ha0 = a_handle(a_base, q.mo);
  let ha1 = a_handle(a_base, q.mo + 4u);
  let hb0 = b_handle(b_base, q.no);
  let da = a_step();
  let db = b_step();
  let K4 = P.K / 4u;
#if ${WIDE}
  let hb1 = b_handle(b_base, q.no + 4u);
  var c: Acc16;
  for (var k4 = 0u; k4 < K4; k4++) {
    mac16(&c, a_tile(ha0, k4 * da), a_tile(ha1, k4 * da), b_tile(hb0, k4 * db), b_tile(hb1, k4 * db));
  }
#else
  var c: Acc8;
  for (var k4 = 0u; k4 < K4; k4++) {
    mac8(&c, a_tile(ha0, k4 * da), a_tile(ha1, k4 * da), b_tile(hb0, k4 * db));
  }
#endif
#if ${TRANS_A}
  // TN takes any K: the last K % 4 one k at a time. a_i's columns and b_j's first column
  // carry the row; the rest stays zero.
  let M4 = P.a_sk / 4u;   // vec4s between k-rows of A and of B
  let N4 = P.b_sk / 4u;
  for (var k = K4 * 4u; k < P.K; k++) {
    let a0 = mat4x4f(A4[ha0.x + k * M4], vec4f(), vec4f(), vec4f());
    let a1 = mat4x4f(A4[ha1.x + k * M4], vec4f(), vec4f(), vec4f());
    let b0 = mat4x4f(B4[hb0.x + k * N4], vec4f(), vec4f(), vec4f());
#if ${WIDE}
    let b1 = mat4x4f(B4[hb1.x + k * N4], vec4f(), vec4f(), vec4f());
    mac16(&c, transpose(a0), transpose(a1), b0, b1);
#else
    mac8(&c, transpose(a0), transpose(a1), b0);
#endif
  }
#endif
#if ${WIDE}
  store16(p, q, c);
#else
  store8(p, q, c);
#endif
}
