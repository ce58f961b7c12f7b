"""PyTorch side of bench/gpu.bench.ts: the same measurements on the same card, printed as one JSON line.

Each case: warm up for a quarter second, then time `iters` launches back to back and synchronise once, best of 5 (CUDA events would hide launch
overhead that our numbers include, so wall time over many iterations is used for both sides).
"""
import json
import sys
import time

import torch

quick = '--quick' in sys.argv
dev = 'cuda' if torch.cuda.is_available() else 'cpu'
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
S = 1 / 16 if quick else 1.0
ITERS = float(next((a[8:] for a in sys.argv if a.startswith('--iters=')), 1))


def sync():
    if dev == 'cuda':
        torch.cuda.synchronize()


def timed(fn, n, warm_s=0.25, rounds=5):
    """Seconds per launch: untimed rounds until `warm_s` has passed (clocks up, allocator warm), then the best of
    `rounds` rounds of `iters` launches and one synchronise (the same shape as bench/gpu.bench.ts)."""
    iters = max(1, round(n * ITERS))

    def one_round():
        t = time.perf_counter()
        for _ in range(iters):
            fn()
        sync()
        return (time.perf_counter() - t) / iters
    start = time.perf_counter()
    one_round()
    while time.perf_counter() - start < warm_s:
        one_round()
    return min(one_round() for _ in range(rounds))


def main():
    g = torch.Generator(device=dev).manual_seed(0)
    r = {}
    n = int(64 * 1024 * 1024 * S)  # 256 MiB of float32
    a = torch.randn(n, device=dev, generator=g)
    t = timed(lambda: torch.mul(a, 1.5), 20)
    r['elementwise_gbs'] = 2 * 4 * n / t / 1e9
    t = timed(lambda: a.clone(), 20)
    r['copy_gbs'] = 2 * 4 * n / t / 1e9
    t = timed(lambda: a.sum(), 20)
    r['sum_gbs'] = 4 * n / t / 1e9
    rows = int(16384 * S)
    x = torch.randn(rows, 4096, device=dev, generator=g)
    t = timed(lambda: torch.softmax(x, -1), 20)
    r['softmax_gbs'] = 2 * 4 * x.numel() / t / 1e9
    t = timed(lambda: torch.logsumexp(x, -1), 20)
    r['logsumexp_gbs'] = 4 * x.numel() / t / 1e9
    t = timed(lambda: x.sum(-1), 20)
    r['rowsum_gbs'] = 4 * x.numel() / t / 1e9
    del a, x
    m = int(4096 * (S ** (1 / 3)))
    A = torch.randn(m, m, device=dev, generator=g)
    B = torch.randn(m, m, device=dev, generator=g)
    t = timed(lambda: A @ B, 10)
    r['matmul_f32_tflops'] = 2 * m ** 3 / t / 1e12
    Ah, Bh = A.bfloat16(), B.bfloat16()
    t = timed(lambda: Ah @ Bh, 10)
    r['matmul_bf16_tflops'] = 2 * m ** 3 / t / 1e12
    del A, B, Ah, Bh
    K, N = 4096, int(14336 * S)
    W = torch.randn(K, N, device=dev, generator=g)
    v = torch.randn(1, K, device=dev, generator=g)
    t = timed(lambda: v @ W, 50)
    r['matvec_gbs'] = 4 * K * N / t / 1e9
    Wt = torch.randn(N, K, device=dev, generator=g)
    t = timed(lambda: v @ Wt.T, 50)
    r['matvec_t_gbs'] = 4 * K * N / t / 1e9
    del W, Wt
    x = torch.randn(rows, 4096, device=dev, generator=g)
    b = torch.rand(4096, device=dev, generator=g) + 1

    def chain():
        y = x * 0.5
        y = y + b
        y = y - 0.25
        y = y * y
        y = torch.maximum(y, torch.tensor(0.1, device=dev))
        y = torch.minimum(y, torch.tensor(4.0, device=dev))
        y = y.abs()
        y = y + x
        y = y * 1.5
        return y / b
    t = timed(chain, 10)
    r['chain10_ms'] = t * 1e3
    s = torch.ones(4, device=dev)

    def tiny():
        y = s
        for _ in range(1000):
            y = y + 1
        return y
    t = timed(tiny, 5)
    r['tiny_op_us'] = t / 1000 * 1e6
    r['device'] = torch.cuda.get_device_name() if dev == 'cuda' else 'cpu'
    r['torch'] = torch.__version__
    print(json.dumps(r))


main()
