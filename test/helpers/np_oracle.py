"""NumPy oracle for the op tests: reads cases as JSON on stdin, evaluates each expression, writes results as JSON.

A case is {"expr": "np.add(a, b)", "args": [{"dtype": "float32", "shape": [2], "values": [...]}, ...]}. Arguments
are bound to a, b, c, ... ; "scalars" args ({"scalar": 2}) bind plain Python numbers. bfloat16 arrives as
float32 (NumPy has no bfloat16). A result is an array, a list of arrays, or {"error": "..."}.
"""
import json, sys, math
import numpy as np

def enc_val(v):
    if isinstance(v, complex) or isinstance(v, np.complexfloating):
        return [enc_val(float(v.real)), enc_val(float(v.imag))]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    f = float(v)
    if math.isnan(f): return "nan"
    if math.isinf(f): return "inf" if f > 0 else "-inf"
    if f == 0 and math.copysign(1, f) < 0: return "-0"
    if isinstance(v, (int, np.integer)): return int(v)
    return f

def dec_val(v):
    if v == "nan": return float("nan")
    if v == "inf": return float("inf")
    if v == "-inf": return float("-inf")
    if v == "-0": return -0.0
    if isinstance(v, list): return complex(dec_val(v[0]), dec_val(v[1]))
    return v

def enc(r):
    if isinstance(r, (tuple, list)):
        return {"list": [enc(x) for x in r]}
    r = np.asarray(r)
    return {"dtype": str(r.dtype), "shape": list(r.shape), "values": [enc_val(x) for x in r.reshape(-1).tolist()]}

def dec(a):
    if "scalar" in a:
        return dec_val(a["scalar"])
    dt = a["dtype"]
    npdt = {"bfloat16": "float32", "bool": "bool"}.get(dt, dt)
    vals = [dec_val(v) for v in a["values"]]
    if dt in ("int64", "uint64"):
        return np.array([int(v) for v in vals], dtype=npdt).reshape(a["shape"])
    return np.array(vals, dtype=npdt).reshape(a["shape"])

def main():
    cases = json.load(sys.stdin)
    out = []
    names = "abcdefgh"
    with np.errstate(all="ignore"):
        for c in cases:
            env = {"np": np, "math": math}
            for n, a in zip(names, c["args"]):
                env[n] = dec(a)
            try:
                if "code" in c:
                    exec(c["code"], env)
                    r = env["result"]
                else:
                    r = eval(c["expr"], env)
                out.append(enc(r))
            except Exception as e:  # the caller decides whether an error was expected
                out.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(out, sys.stdout)

main()
