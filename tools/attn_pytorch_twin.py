# Loads an attn checkpoint into plain PyTorch modules (load_state_dict strict: the SPEC §3
# names need no renaming) and greedy-decodes stdin lines with the same equations, to compare
# with `seq2seq predict`. Needs torch and numpy (not a project dependency):
#   python tools/attn_pytorch_twin.py runs/X/last.safetensors < inputs.txt
import json, struct, sys
import numpy as np, torch, torch.nn as nn

def load(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8 + n]); meta = h.pop('__metadata__', {})
    data = b[8 + n:]
    t = {k: torch.from_numpy(np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], dtype=np.float32).reshape(v['shape']).copy()) for k, v in h.items()}
    return t, meta

class Attn(nn.Module):
    def __init__(s, V, E, H, L):
        super().__init__()
        s.src_embedding = nn.Embedding(V, E); s.tgt_embedding = nn.Embedding(V, E)
        s.encoder = nn.LSTM(E, H, L); s.decoder = nn.LSTM(E, H, L)
        s.attention = nn.Linear(H, H, bias=False); s.attention_combine = nn.Linear(2 * H, H, bias=False)
        s.output = nn.Linear(H, V)
    def greedy(s, x, steps, reverse):
        V = s.output.out_features
        src = torch.tensor(list(reversed(x)) if reverse else x)
        hbar, (h, c) = s.encoder(s.src_embedding(src)[:, None, :])  # (S, 1, H)
        keys = s.attention(hbar[:, 0])  # (S, H)
        prev, out = V - 1, []
        for _ in range(steps):
            o, (h, c) = s.decoder(s.tgt_embedding(torch.tensor([prev]))[:, None, :], (h, c))
            q = o[0, 0]
            a = torch.softmax(keys @ q, 0)
            ctx = a @ hbar[:, 0]
            ht = torch.tanh(s.attention_combine(torch.cat([ctx, q])))
            prev = int(s.output(ht).argmax())
            if prev == V - 1: break
            out.append(prev)
        return out

tensors, meta = load(sys.argv[1])
cfg = json.loads(meta['config'])
m = Attn(cfg['vocab_size'], cfg['embedding_size'], cfg['hidden_size'], cfg['layers'])
model_tensors = {k: v for k, v in tensors.items() if not k.startswith('optimizer.')}
m.load_state_dict(model_tensors, strict=True)
print('load_state_dict(strict=True): ok,', len(model_tensors), 'tensors', file=sys.stderr)
with torch.no_grad():
    for line in sys.stdin:
        x = [int(v) for v in line.split()]
        print(' '.join(map(str, m.greedy(x, cfg['max_length'] + 1, cfg['reverse_source']))))
