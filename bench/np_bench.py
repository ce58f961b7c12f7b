"""NumPy side of bench/cpu.bench.ts: times the same workloads in the same run; prints JSON {name: seconds}."""
import json, sys, time
import numpy as np

def best(f, reps):
    f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2]

def softmax(x):
    m = x.max(axis=-1, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=-1, keepdims=True)

cfg = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
out = {}
for n in cfg["matmul"]:
    a = rng.standard_normal((n, n), dtype=np.float32); b = rng.standard_normal((n, n), dtype=np.float32)
    out[f"matmul{n}"] = best(lambda: a @ b, cfg["reps"])
n = cfg["elems"]
x = rng.standard_normal(n, dtype=np.float32); y = rng.standard_normal(n, dtype=np.float32)
out["add"] = best(lambda: np.add(x, y), cfg["reps"])
out["sum"] = best(lambda: x.sum(), cfg["reps"])
s = rng.standard_normal(tuple(cfg["softmax"]), dtype=np.float32)
out["softmax"] = best(lambda: softmax(s), cfg["reps"])
print(json.dumps(out))
