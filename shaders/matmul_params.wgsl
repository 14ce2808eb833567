// The uniform and the first bindings every matmul kernel shares (matmul.wgsl, with
// matmul_quad.wgsl, and matmul_tiled.wgsl): src/ops/matmul.ts puts this text in front of
// each. The host fills Params in src/ops/matmul.ts (matmulWithKernel).

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
