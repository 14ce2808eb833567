// The masked recurrent update of the `blog` encoder (seed class Seq_1), forward and backward.
// Letters: B batch, H hidden. One invocation per element of a (B, H) state.
//   recurrent_forward:  h_out[b, j] = t < len[b] ? tanh(x[b, j] + g[b, j]) : h_prev[b, j]
//   recurrent_backward: from dh = dL/dh_out and h_out (the tanh output where the mask is set),
//                       dpre[b, j]   = t < len[b] ? dh[b, j] · (1 − h_out[b, j]²) : 0
//                       dcarry[b, j] = t < len[b] ? 0 : dh[b, j]    (may overwrite dh in place)
// Element offsets, shapes and t arrive in the uniform: one pipeline serves every step.

override WG: u32 = 64;

struct ForwardParams {
  B: u32, H: u32, t: i32, len_off: u32,
  x_off: u32, g_off: u32, prev_off: u32, out_off: u32,
};
@group(0) @binding(0) var<uniform> fp: ForwardParams;
@group(0) @binding(1) var<storage, read> fw_x: array<f32>;       // (B, H) xh(e_t)
@group(0) @binding(2) var<storage, read> fw_g: array<f32>;       // (B, H) hh(h_prev)
@group(0) @binding(3) var<storage, read> fw_len: array<i32>;     // (B)
@group(0) @binding(4) var<storage, read_write> fw_h: array<f32>; // h_prev (B, H) and h_out (B, H)

@compute @workgroup_size(WG)
fn recurrent_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= fp.B * fp.H) { return; }
  let b = i / fp.H;
  var v = fw_h[fp.prev_off + i];
  if (fp.t < fw_len[fp.len_off + b]) {
    v = tanh(fw_x[fp.x_off + i] + fw_g[fp.g_off + i]);
  }
  fw_h[fp.out_off + i] = v;
}

struct BackwardParams {
  B: u32, H: u32, t: i32, len_off: u32,
  h_off: u32, dh_off: u32, carry_off: u32, dpre_off: u32,
};
@group(0) @binding(0) var<uniform> bp: BackwardParams;
@group(0) @binding(1) var<storage, read> bw_h: array<f32>;          // (B, H) h_out of the step
@group(0) @binding(2) var<storage, read> bw_len: array<i32>;        // (B)
@group(0) @binding(3) var<storage, read_write> bw_dh: array<f32>;   // dh (B, H) in, dcarry (B, H) out
@group(0) @binding(4) var<storage, read_write> bw_dpre: array<f32>; // (B, H)

@compute @workgroup_size(WG)
fn recurrent_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= bp.B * bp.H) { return; }
  let b = i / bp.H;
  let dh = bw_dh[bp.dh_off + i];
  if (bp.t < bw_len[bp.len_off + b]) {
    let h = bw_h[bp.h_off + i];
    bw_dpre[bp.dpre_off + i] = dh * (1.0 - h * h);
    bw_dh[bp.carry_off + i] = 0.0;
  } else {
    bw_dpre[bp.dpre_off + i] = 0.0;
    bw_dh[bp.carry_off + i] = dh;
  }
}
