# Loads a `transformer` checkpoint strictly into the PyTorch modules of docs/contract.md §3
# (nn.Embedding ×2, nn.Transformer(norm_first=True, batch_first=True), nn.Linear) and compares
# its loss on a fixed batch with our float64 reference's. Needs torch and numpy (not project
# dependencies; on Debian 12, `apt-get install python3-torch` gives torch 1.13 for /usr/bin/python3):
#   npx tsx tools/transformer_reference_loss.ts runs/X/last.safetensors 8 > batch.json
#   /usr/bin/python3 tools/transformer_pytorch_check.py runs/X/last.safetensors batch.json
# Conventions (docs/contract.md §1, §3): PAD 0, EOS V−1; time positions padded to
# max_length (source) and max_length + 1 (target); the decoder reads EOS then the target;
# the loss is the mean cross-entropy over target positions up to and including EOS.
import json, math, struct, sys
import numpy as np, torch, torch.nn as nn

def load(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8 + n]); meta = h.pop('__metadata__', {})
    data = b[8 + n:]
    t = {k: torch.from_numpy(np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], dtype=np.float32).reshape(v['shape']).copy())
         for k, v in h.items() if not k.startswith('optimizer.')}
    return t, json.loads(meta['config'])

class Seq2SeqTransformer(nn.Module):
    def __init__(s, c):
        super().__init__()
        V, d = c['vocab_size'], c['hidden_size']
        s.src_embedding = nn.Embedding(V, d)
        s.tgt_embedding = nn.Embedding(V, d)
        s.transformer = nn.Transformer(d, c['heads'], c['layers'], c['layers'], c['ff_size'], c['dropout'], batch_first=True, norm_first=True)
        s.output = nn.Linear(d, V)
        s.d = d

    def positions(s, n):
        pe = torch.zeros(n, s.d)
        for p in range(n):
            for j in range(s.d):
                angle = p / 10000 ** (2 * (j // 2) / s.d)
                pe[p, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
        return pe

    def forward(s, src, src_len, dec_in):
        S, T = src.shape[1], dec_in.shape[1]
        x = s.src_embedding(src) * math.sqrt(s.d) + s.positions(S)
        y = s.tgt_embedding(dec_in) * math.sqrt(s.d) + s.positions(T)
        pad = torch.arange(S)[None, :] >= src_len[:, None]  # True where padded
        causal = nn.Transformer.generate_square_subsequent_mask(T)
        h = s.transformer(x, y, tgt_mask=causal, src_key_padding_mask=pad, memory_key_padding_mask=pad)
        return s.output(h)

def batch(samples, V, S, reverse):
    B, T, eos = len(samples), S + 1, V - 1
    src = torch.zeros(B, S, dtype=torch.long); dec_in = torch.zeros(B, T, dtype=torch.long); tgt = torch.zeros(B, T, dtype=torch.long)
    lengths = torch.tensor([len(x['input']) for x in samples])
    for b, x in enumerate(samples):
        inp = list(reversed(x['input'])) if reverse else x['input']
        src[b, :len(inp)] = torch.tensor(inp)
        t = x['target'] + [eos]
        tgt[b, :len(t)] = torch.tensor(t)
        dec_in[b, :len(t)] = torch.tensor([eos] + x['target'])
    return src, lengths, dec_in, tgt

tensors, config = load(sys.argv[1])
ours = json.load(open(sys.argv[2]))
model = Seq2SeqTransformer(config)
model.load_state_dict(tensors, strict=True)
model.eval()
src, lengths, dec_in, tgt = batch(ours['samples'], config['vocab_size'], ours['max_length'], config['reverse_source'])
with torch.no_grad():
    logits = model(src, lengths, dec_in)
    loss = nn.CrossEntropyLoss(ignore_index=0, label_smoothing=config['label_smoothing'])(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1)).item()
print(json.dumps({'pytorch_loss': loss, 'reference_loss': ours['loss'], 'abs_diff': abs(loss - ours['loss'])}))
sys.exit(0 if abs(loss - ours['loss']) < 1e-4 else 1)
