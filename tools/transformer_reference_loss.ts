// The float64 reference loss of a transformer checkpoint on a fixed batch (the first B
// samples of the checkpoint's task, eval stream), for tools/transformer_pytorch_check.py to
// compare with PyTorch. Dropout off (eval mode), the checkpoint's label smoothing.
//   npx tsx tools/transformer_reference_loss.ts runs/X/last.safetensors [B] > batch.json
import { readFileSync } from 'node:fs';
import { decodeCheckpoint } from '../src/io/checkpoint.ts';
import { makeBatch } from '../src/task/batch.ts';
import { transformerModelForward } from '../src/reference/transformer_model.ts';
import type { Tensors } from '../src/reference/lstm_model.ts';

const [path, count] = process.argv.slice(2);
if (!path) throw new Error('Usage: npx tsx tools/transformer_reference_loss.ts CHECKPOINT [B]');
const ck = decodeCheckpoint(new Uint8Array(readFileSync(path)), path);
const c = ck.config;
if (c.model !== 'transformer') throw new Error(`${path} holds a ${c.model} model, not a transformer.`);
const B = Number(count ?? 8);
const batch = makeBatch(c, 'eval', c.seed, 0, B);
const p: Tensors = {};
for (const [name, t] of ck.tensors) p[name] = Float64Array.from(t.data);
const dims = { V: c.vocab_size, d: c.hidden_size, heads: c.heads, L: c.layers, F: c.ff_size };
const { loss } = transformerModelForward(p, dims, batch, { reverse: c.reverse_source, smoothing: c.label_smoothing });
const samples = batch.inputs.map((input, i) => ({ input, target: batch.targets[i] }));
process.stdout.write(`${JSON.stringify({ loss, max_length: c.max_length, samples })}\n`);
