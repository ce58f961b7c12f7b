"""NumPy side of bench/cpu-speed.bench.ts: median seconds of each workload, printed as JSON {name: seconds}."""
import json, sys, time
import numpy as np

def median_time(f, reps):
    f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2]

def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)

cfg = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
out = {}
for n in cfg["matmul"]:
    a = rng.standard_normal((n, n), dtype=np.float32); b = rng.standard_normal((n, n), dtype=np.float32)
    out[f"matmul{n}"] = median_time(lambda: a @ b, cfg["reps"])
n = cfg["elems"]
x = rng.standard_normal(n, dtype=np.float32); y = rng.standard_normal(n, dtype=np.float32)
out["add"] = median_time(lambda: np.add(x, y), cfg["reps"])
out["sum"] = median_time(lambda: x.sum(), cfg["reps"])
s = rng.standard_normal(tuple(cfg["softmax"]), dtype=np.float32)
out["softmax"] = median_time(lambda: softmax(s), cfg["reps"])
print(json.dumps(out))
