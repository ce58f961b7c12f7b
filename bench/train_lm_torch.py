"""PyTorch-eager side of bench/train-lm.bench.ts: the same decoder-only transformer (token + position embeddings,
pre-norm encoder blocks with a final LayerNorm, causal mask, GELU MLP 4x, no dropout, linear head), AdamW, the same
batch and context, random tokens; prints tokens/s of the training step (forward, backward, update, loss.item()).
"""
import json
import sys
import time

import torch
import torch.nn as nn

args = dict(a.lstrip('-').split('=') for a in sys.argv[1:] if '=' in a)
V, T, D, L, H, B, STEPS = (int(args.get(k, d)) for k, d in
                          [('vocab', 128), ('ctx', 256), ('dims', 256), ('layers', 4), ('heads', 8), ('batch', 32), ('steps', 30)])
dev = 'cuda' if torch.cuda.is_available() else 'cpu'
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(V, D)
        self.pos = nn.Embedding(T, D)
        layer = nn.TransformerEncoderLayer(D, H, 4 * D, dropout=0.0, activation='gelu', batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, L, norm=nn.LayerNorm(D), enable_nested_tensor=False)
        self.head = nn.Linear(D, V)
        self.register_buffer('mask', nn.Transformer.generate_square_subsequent_mask(T))

    def forward(self, ids):
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1], device=ids.device))
        return self.head(self.blocks(x, mask=self.mask))


torch.manual_seed(0)
model = LM().to(dev)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.01)
data = torch.randint(0, V, (STEPS + 5, B, T + 1), device=dev)


def step(w):
    logits = model(w[:, :-1])
    loss = nn.functional.cross_entropy(logits.reshape(-1, V), w[:, 1:].reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


for i in range(5):
    step(data[i])
if dev == 'cuda':
    torch.cuda.synchronize()
t = time.perf_counter()
for i in range(STEPS):
    loss = step(data[5 + i])
dt = time.perf_counter() - t
print(json.dumps({'tokens_per_s': B * T * STEPS / dt, 'step_ms': dt / STEPS * 1e3, 'loss': loss,
                  'device': torch.cuda.get_device_name() if dev == 'cuda' else 'cpu', 'torch': torch.__version__}))
