// Beam search on the GPU: one step of candidate selection, and the recurrent-state gathers.
//   beam_step     one workgroup per input b: log-softmax of each of its K beams' logits,
//                 candidates = beam score + log p, per input the top K of the K·V candidates
//                 -> tokens[t, b, :], parents[t, b, :], scores[b, :], status[b, :]
//   beam_reorder  in place between two slots of one buffer, every layer at once:
//                 h[slotA][b·K + i] = h[slotB][b·K + parents[t, b, i]] (and c likewise)
//   beam_expand   dst[b·K + i] = src[b] (the encoder's final state to K beams)
//
// Beam state lives in one i32 buffer ("result"): tokens (D, B, K), parents (D, B, K),
// scores (B, K) as f32 bits, status (B, K): 0 dead, 1 live, 2 finished (emitted EOS).
// Rows are input-major: beam i of input b is row b·K + i.
//
// Candidates: a live beam k offers (k, j) for every token j with total score[k] + log p_k(j);
// a finished beam offers only (k, EOS) with total score[k] (it extends with itself at +0);
// a dead beam offers nothing. At the first step (first = 1) only beam 0 is live (score 0),
// so K copies of one hypothesis do not fill the beam.
// Order (a strict total order, so the selection is deterministic): higher total first; on
// equal totals the lower beam k; within one beam the higher logit x, then the lower j. Within
// one beam this is exactly the argmax order of the logits (log-softmax is monotone), so with
// K = 1 the selected token is the greedy argmax (lowest index on ties).
// The i-th selection is the best candidate strictly after the (i-1)-th in that order: K
// rounds, each a per-invocation scan and a fixed-shape tree reduction. No atomics.
// With fewer than K candidates the remaining beams are dead (score -inf, token EOS).

const WG: u32 = 64u;
const MAXK: u32 = 64u;
const NONE: u32 = 0xffffffffu;
const DEAD: i32 = 0;
const LIVE: i32 = 1;
const FINISHED: i32 = 2;

struct StepParams {
  logits_offset: u32,   // logits of (b, k) start at logits_offset + b·stride_b + k·stride_k
  stride_b: u32,
  stride_k: u32,
  vocab: u32,
  batch: u32,
  beam: u32,            // K
  eos: u32,
  first: u32,           // 1 at step 0
  tokens_offset: u32,   // (B, K) rows of step t in result
  parents_offset: u32,
  scores_offset: u32,   // (B, K)
  status_offset: u32,   // (B, K)
};

@group(0) @binding(0) var<uniform> sp: StepParams;
@group(0) @binding(1) var<storage, read> st_logits: array<f32>;
@group(0) @binding(2) var<storage, read_write> st_result: array<i32>;

var<workgroup> prev_score: array<f32, MAXK>;
var<workgroup> prev_status: array<i32, MAXK>;
var<workgroup> row_shift: array<f32, MAXK>;   // max + log Σ exp(x - max) of each beam's logits
var<workgroup> sel_total: array<f32, MAXK>;
var<workgroup> sel_k: array<u32, MAXK>;
var<workgroup> sel_x: array<f32, MAXK>;
var<workgroup> sel_j: array<u32, MAXK>;
var<workgroup> red_total: array<f32, WG>;
var<workgroup> red_k: array<u32, WG>;
var<workgroup> red_x: array<f32, WG>;
var<workgroup> red_j: array<u32, WG>;

struct Cand {
  total: f32,
  k: u32,
  x: f32,
  j: u32,
};

// True when a comes strictly before b (NONE comes after everything).
fn precedes(a: Cand, b: Cand) -> bool {
  if (a.k == NONE) { return false; }
  if (b.k == NONE) { return true; }
  if (a.total != b.total) { return a.total > b.total; }
  if (a.k != b.k) { return a.k < b.k; }
  if (a.x != b.x) { return a.x > b.x; }
  return a.j < b.j;
}

fn logit(b: u32, k: u32, j: u32) -> f32 {
  return st_logits[sp.logits_offset + b * sp.stride_b + k * sp.stride_k + j];
}

// Candidate c = k·V + j of input b, or NONE when beam k does not offer token j.
fn candidate(b: u32, c: u32) -> Cand {
  let k = c / sp.vocab;
  let j = c - k * sp.vocab;
  let s = prev_status[k];
  if (s == LIVE) {
    let x = logit(b, k, j);
    return Cand(prev_score[k] + (x - row_shift[k]), k, x, j);
  }
  if (s == FINISHED && j == sp.eos) {
    return Cand(prev_score[k], k, 0.0, j);
  }
  return Cand(0.0, NONE, 0.0, 0u);
}

@compute @workgroup_size(WG)
fn beam_step(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let b = wid.x;
  let K = sp.beam;
  let V = sp.vocab;
  let base = b * K;
  if (tid < K) {
    if (sp.first != 0u) {
      prev_score[tid] = 0.0;
      prev_status[tid] = select(DEAD, LIVE, tid == 0u);
    } else {
      prev_score[tid] = bitcast<f32>(st_result[sp.scores_offset + base + tid]);
      prev_status[tid] = st_result[sp.status_offset + base + tid];
    }
  }
  workgroupBarrier();
  if (tid < K && prev_status[tid] == LIVE) {
    var mx = logit(b, tid, 0u);
    for (var j = 1u; j < V; j++) { mx = max(mx, logit(b, tid, j)); }
    var s = 0.0;
    for (var j = 0u; j < V; j++) { s += exp(logit(b, tid, j) - mx); }
    row_shift[tid] = mx + log(s);
  }
  workgroupBarrier();
  let n = K * V;
  var prev = Cand(0.0, NONE, 0.0, 0u);
  for (var i = 0u; i < K; i++) {
    var best = Cand(0.0, NONE, 0.0, 0u);
    for (var c = tid; c < n; c += WG) {
      let cand = candidate(b, c);
      if (cand.k == NONE) { continue; }
      if (i > 0u && (prev.k == NONE || !precedes(prev, cand))) { continue; }
      if (precedes(cand, best)) { best = cand; }
    }
    red_total[tid] = best.total;
    red_k[tid] = best.k;
    red_x[tid] = best.x;
    red_j[tid] = best.j;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
      if (tid < stride) {
        let o = Cand(red_total[tid + stride], red_k[tid + stride], red_x[tid + stride], red_j[tid + stride]);
        let m = Cand(red_total[tid], red_k[tid], red_x[tid], red_j[tid]);
        if (precedes(o, m)) {
          red_total[tid] = o.total;
          red_k[tid] = o.k;
          red_x[tid] = o.x;
          red_j[tid] = o.j;
        }
      }
      workgroupBarrier();
    }
    prev = Cand(red_total[0], red_k[0], red_x[0], red_j[0]);
    if (tid == 0u) {
      sel_total[i] = prev.total;
      sel_k[i] = prev.k;
      sel_x[i] = prev.x;
      sel_j[i] = prev.j;
    }
    workgroupBarrier();
  }
  if (tid < K) {
    let k = sel_k[tid];
    if (k == NONE) {
      st_result[sp.tokens_offset + base + tid] = i32(sp.eos);
      st_result[sp.parents_offset + base + tid] = i32(tid);
      st_result[sp.scores_offset + base + tid] = bitcast<i32>(0xff800000u); // -inf
      st_result[sp.status_offset + base + tid] = DEAD;
    } else {
      let j = sel_j[tid];
      st_result[sp.tokens_offset + base + tid] = i32(j);
      st_result[sp.parents_offset + base + tid] = i32(k);
      st_result[sp.scores_offset + base + tid] = bitcast<i32>(sel_total[tid]);
      st_result[sp.status_offset + base + tid] = select(LIVE, FINISHED, j == sp.eos);
    }
  }
}

// ---- state gathers ----

struct ReorderParams {
  parents_offset: u32,  // (B, K) parents of the step in result
  rows: u32,            // B·K
  beam: u32,            // K
  width: u32,           // H
  layers: u32,          // L
  layer_stride: u32,    // elements between layers' slot pairs
  dst_offset: u32,      // slot A of layer 0
  src_offset: u32,      // slot B of layer 0
};

@group(0) @binding(0) var<uniform> rp: ReorderParams;
@group(0) @binding(1) var<storage, read> ro_result: array<i32>;
@group(0) @binding(2) var<storage, read_write> ro_h: array<f32>;
@group(0) @binding(3) var<storage, read_write> ro_c: array<f32>;

@compute @workgroup_size(WG)
fn beam_reorder(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * WG;
  let per_layer = rp.rows * rp.width;
  if (idx >= rp.layers * per_layer) { return; }
  let l = idx / per_layer;
  let rest = idx - l * per_layer;
  let r = rest / rp.width;
  let e = rest - r * rp.width;
  let parent = u32(clamp(ro_result[rp.parents_offset + r], 0, i32(rp.beam) - 1));
  let src_row = (r / rp.beam) * rp.beam + parent;
  let s = l * rp.layer_stride + rp.src_offset + src_row * rp.width + e;
  let d = l * rp.layer_stride + rp.dst_offset + r * rp.width + e;
  ro_h[d] = ro_h[s];
  ro_c[d] = ro_c[s];
}

struct ExpandParams {
  src_offset: u32,  // (B, H)
  dst_offset: u32,  // (B·K, H)
  rows: u32,        // B·K
  beam: u32,        // K
  width: u32,       // H
};

@group(0) @binding(0) var<uniform> ep: ExpandParams;
@group(0) @binding(1) var<storage, read> ex_src: array<f32>;
@group(0) @binding(2) var<storage, read_write> ex_dst: array<f32>;

@compute @workgroup_size(WG)
fn beam_expand(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= ep.rows * ep.width) { return; }
  let r = idx / ep.width;
  let e = idx - r * ep.width;
  ex_dst[ep.dst_offset + idx] = ex_src[ep.src_offset + (r / ep.beam) * ep.width + e];
}
