"""Writes I/O test fixtures with NumPy and small hand-written writers (independent of mlx-ts), plus a manifest.

Usage: python3 io-write.py DIR  ->  prints the manifest as JSON:
  [{"file": ..., "format": ..., "arrays": {name: {"dtype", "shape", "values"}}, "metadata": {...},
    "dequant": {name: {"shape", "values"}}}]
Values are flat, row-major; floats encoded with nan/inf/-0 strings, 64-bit ints as strings, complex as [re, im].
"""
import json, math, os, struct, sys
import numpy as np

OUT = sys.argv[1]
rng = np.random.default_rng(7)
manifest = []

def enc_val(v, big=False):
    if isinstance(v, (complex, np.complexfloating)):
        return [enc_val(float(v.real)), enc_val(float(v.imag))]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return str(int(v)) if big else int(v)
    f = float(v)
    if math.isnan(f): return "nan"
    if math.isinf(f): return "inf" if f > 0 else "-inf"
    if f == 0 and math.copysign(1, f) < 0: return "-0"
    return f

MLX_NAME = {"bool": "bool", "uint8": "uint8", "uint16": "uint16", "uint32": "uint32", "uint64": "uint64",
            "int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64", "float16": "float16",
            "float32": "float32", "float64": "float64", "complex64": "complex64"}

def desc(a, dtype=None):
    a = np.asarray(a)
    name = dtype or MLX_NAME[a.dtype.newbyteorder("=").name]
    big = name in ("int64", "uint64")
    return {"dtype": name, "shape": list(a.shape), "values": [enc_val(x, big) for x in a.reshape(-1).tolist()]}

def sample(dtype, shape):
    n = int(np.prod(shape)) if shape else 1
    d = np.dtype(dtype)
    if d == np.bool_:
        v = rng.integers(0, 2, n).astype(bool)
    elif d.kind in "ui":
        info = np.iinfo(d)
        v = rng.integers(info.min, info.max, n, dtype=d, endpoint=True)
    elif d.kind == "c":
        v = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(d)
    else:
        v = (rng.standard_normal(n) * 10).astype(d)
        specials = np.array([np.nan, np.inf, -np.inf, -0.0], dtype=d)
        v[: min(n, 4)] = specials[: min(n, 4)]
    return v.reshape(shape)

# ---- .npy: every dtype, several shapes, versions, byte orders, Fortran order ----
DT = ["bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float16", "float32",
      "float64", "complex64"]
for i, d in enumerate(DT):
    for j, shape in enumerate([(), (0,), (5,), (2, 3, 4)]):
        a = sample(d, shape)
        f = f"np_{d}_{j}.npy"
        np.save(os.path.join(OUT, f), a)
        manifest.append({"file": f, "format": "npy", "arrays": {"": desc(a)}})
for ver in [(1, 0), (2, 0), (3, 0)]:
    a = sample("float32", (3, 5))
    f = f"np_v{ver[0]}.npy"
    with open(os.path.join(OUT, f), "wb") as fh:
        np.lib.format.write_array(fh, a, version=ver)
    manifest.append({"file": f, "format": "npy", "arrays": {"": desc(a)}})
for d in [">f4", ">i8", ">u2", ">f2", ">c8", ">f8", ">i4"]:
    a = sample(np.dtype(d).newbyteorder("="), (2, 3)).astype(d)
    f = f"np_be_{d[1:]}.npy"
    np.save(os.path.join(OUT, f), a)
    manifest.append({"file": f, "format": "npy", "arrays": {"": desc(a)}})
for d, shape in [("float32", (2, 3, 4)), ("int16", (3, 5)), (">f8", (4, 2))]:
    a = np.asfortranarray(sample(np.dtype(d).newbyteorder("="), shape).astype(d))
    f = f"np_fortran_{d.strip('>')}_{len(shape)}.npy"
    np.save(os.path.join(OUT, f), a)
    assert b"'fortran_order': True" in open(os.path.join(OUT, f), "rb").read(128)
    manifest.append({"file": f, "format": "npy", "arrays": {"": desc(np.ascontiguousarray(a))}})

# ---- .npz, stored and deflated ----
za = {"w": sample("float32", (4, 3)), "idx": sample("int64", (6,)), "flag": sample("bool", (2, 2)),
      "z": sample("complex64", (3,)), "h": sample("float16", (2, 5)), "e": sample("float32", (0, 3))}
np.savez(os.path.join(OUT, "np_named.npz"), **za)
manifest.append({"file": "np_named.npz", "format": "npz", "arrays": {k: desc(v) for k, v in za.items()}})
np.savez_compressed(os.path.join(OUT, "np_compressed.npz"), **za)
manifest.append({"file": "np_compressed.npz", "format": "npz", "arrays": {k: desc(v) for k, v in za.items()}})
pa = [sample("int32", (3,)), sample("uint8", (2, 2))]
np.savez(os.path.join(OUT, "np_positional.npz"), *pa)
manifest.append({"file": "np_positional.npz", "format": "npz", "arrays": {f"arr_{i}": desc(v) for i, v in enumerate(pa)}})

# ---- .safetensors, hand-written writer ----
ST = {"bool": "BOOL", "uint8": "U8", "int8": "I8", "uint16": "U16", "int16": "I16", "uint32": "U32", "int32": "I32",
      "uint64": "U64", "int64": "I64", "float16": "F16", "float32": "F32", "float64": "F64", "complex64": "C64"}

def bf16_sample(shape):
    """bfloat16 values (as float32 with zero low halves) and their raw uint16 bits."""
    f = (rng.standard_normal(int(np.prod(shape))) * 4).astype(np.float32)
    f[:3] = [np.inf, -0.0, np.nan]
    bits = (f.view(np.uint32) >> 16).astype(np.uint16)
    return (bits.astype(np.uint32) << 16).view(np.float32).reshape(shape), bits.reshape(shape)

def write_safetensors(path, tensors, metadata=None, reverse=False):
    """tensors: name -> (code, shape, raw bytes). Data in insertion (or reverse) order; no padding."""
    header, blobs, off = {}, [], 0
    items = list(tensors.items())
    if reverse: items = items[::-1]
    for name, (code, shape, raw) in items:
        header[name] = {"dtype": code, "shape": list(shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw); off += len(raw)
    if metadata is not None: header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(h))); fh.write(h)
        for b in blobs: fh.write(b)

st, exp = {}, {}
for d, code in ST.items():
    a = sample(d, (2, 3))
    st[f"t_{d}"] = (code, a.shape, a.astype(np.dtype(d).newbyteorder("<")).tobytes())
    exp[f"t_{d}"] = desc(a)
bf, bits = bf16_sample((3, 4))
st["t_bf16"] = ("BF16", bf.shape, bits.astype("<u2").tobytes())
exp["t_bf16"] = desc(bf, "bfloat16")
sc = sample("float32", ())
st["scalar"] = ("F32", (), sc.tobytes()); exp["scalar"] = desc(sc)
st["empty"] = ("F16", (0, 4), b""); exp["empty"] = desc(np.zeros((0, 4), np.float16))
meta = {"format": "mlx", "note": "héllo"}
write_safetensors(os.path.join(OUT, "py.safetensors"), st, meta)
manifest.append({"file": "py.safetensors", "format": "safetensors", "arrays": exp, "metadata": meta})
write_safetensors(os.path.join(OUT, "py_reversed.safetensors"), st, None, reverse=True)
manifest.append({"file": "py_reversed.safetensors", "format": "safetensors", "arrays": exp, "metadata": {}})

# sharded checkpoint with an index
names = list(st)
shards = {"model-00001-of-00002.safetensors": names[: len(names) // 2], "model-00002-of-00002.safetensors": names[len(names) // 2:]}
os.makedirs(os.path.join(OUT, "sharded"), exist_ok=True)
wm = {}
for f, ns in shards.items():
    write_safetensors(os.path.join(OUT, "sharded", f), {n: st[n] for n in ns}, {"format": "mlx"})
    for n in ns: wm[n] = f
json.dump({"metadata": {"total_size": 0}, "weight_map": wm}, open(os.path.join(OUT, "sharded", "model.safetensors.index.json"), "w"))
manifest.append({"file": "sharded", "format": "sharded", "arrays": exp, "metadata": {"format": "mlx"}})

# ---- GGUF, hand-written writer ----
def gstr(s):
    b = s.encode(); return struct.pack("<Q", len(b)) + b

VT = {"uint8": (0, "<B"), "int8": (1, "<b"), "uint16": (2, "<H"), "int16": (3, "<h"), "uint32": (4, "<I"),
      "int32": (5, "<i"), "float32": (6, "<f"), "bool": (7, "<?"), "uint64": (10, "<Q"), "int64": (11, "<q"),
      "float64": (12, "<d")}

def kv_bytes(key, kind, v):
    out = gstr(key)
    if kind == "string": return out + struct.pack("<I", 8) + gstr(v)
    if kind == "strings": return out + struct.pack("<IIQ", 9, 8, len(v)) + b"".join(gstr(s) for s in v)
    if kind.startswith("array:"):
        t, fmt = VT[kind[6:]]
        return out + struct.pack("<IIQ", 9, t, len(v)) + b"".join(struct.pack(fmt, x) for x in v)
    t, fmt = VT[kind]
    return out + struct.pack("<I", t) + struct.pack(fmt, v)

def write_gguf(path, kvs, tensors, alignment=32):
    """kvs: [(key, kind, value)]; tensors: [(name, ggml type, mlx shape, raw bytes)]."""
    if alignment != 32: kvs = kvs + [("general.alignment", "uint32", alignment)]
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(kv_bytes(*kv) for kv in kvs)
    off, offs = 0, []
    for name, t, shape, raw in tensors:
        off = (off + alignment - 1) // alignment * alignment
        offs.append(off)
        dims = list(reversed(shape))
        head += gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        head += struct.pack("<IQ", t, off)
        off += len(raw)
    with open(path, "wb") as fh:
        fh.write(head); pos = len(head)
        pad = (-pos) % alignment; fh.write(b"\0" * pad); base = pos + pad
        for (name, t, shape, raw), o in zip(tensors, offs):
            cur = fh.tell() - base
            fh.write(b"\0" * (o - cur)); fh.write(raw)

def f16(x): return np.float16(x)
def h2f(b, o): return float(np.frombuffer(b[o:o + 2], "<f2")[0])

# block encoders (llama.cpp reference quantizers, in NumPy)
def enc_q4_0(x):
    out, deq = b"", []
    for blk in x.reshape(-1, 32):
        m = blk[np.argmax(np.abs(blk))]
        d = m / -8; idd = 1 / d if d else 0.0
        q = np.minimum(15, (blk * idd + 8.5).astype(np.int8)).astype(np.uint8)
        dh = f16(d)
        out += dh.tobytes() + bytes((q[:16] | (q[16:] << 4)).astype(np.uint8))
        deq += list(np.float32(dh) * (q.astype(np.float32) - 8))
    return out, deq

def enc_q4_1(x):
    out, deq = b"", []
    for blk in x.reshape(-1, 32):
        lo, hi = blk.min(), blk.max()
        d = (hi - lo) / 15; idd = 1 / d if d else 0.0
        q = np.minimum(15, ((blk - lo) * idd + 0.5).astype(np.int8)).astype(np.uint8)
        dh, mh = f16(d), f16(lo)
        out += dh.tobytes() + mh.tobytes() + bytes((q[:16] | (q[16:] << 4)).astype(np.uint8))
        deq += list(np.float32(dh) * q.astype(np.float32) + np.float32(mh))
    return out, deq

def enc_q8_0(x):
    out, deq = b"", []
    for blk in x.reshape(-1, 32):
        d = np.abs(blk).max() / 127; idd = 1 / d if d else 0.0
        q = np.round(blk * idd).astype(np.int8)
        dh = f16(d)
        out += dh.tobytes() + q.tobytes()
        deq += list(np.float32(dh) * q.astype(np.float32))
    return out, deq

# reference dequantizers for random blocks of the other types (from the GGML block layouts)
def rand_blocks(nblocks, nbytes, halves):
    raw = bytearray(rng.integers(0, 256, nblocks * nbytes, dtype=np.uint8).tobytes())
    for b in range(nblocks):
        for o in halves:
            raw[b * nbytes + o: b * nbytes + o + 2] = f16(rng.uniform(0.01, 0.1) * rng.choice([-1, 1])).tobytes()
    return bytes(raw)

def k_scale_min(sc, j):
    if j < 4: return sc[j] & 63, sc[j + 4] & 63
    return (sc[j + 4] & 0xF) | ((sc[j - 4] >> 6) << 4), (sc[j + 4] >> 4) | ((sc[j] >> 6) << 4)

def deq(t, raw):
    out = []
    if t in ("Q5_0", "Q5_1"):
        bs = 22 if t == "Q5_0" else 24
        for o in range(0, len(raw), bs):
            d = h2f(raw, o); m = h2f(raw, o + 2) if t == "Q5_1" else 0.0
            qo = o + (4 if t == "Q5_1" else 2)
            qh = struct.unpack("<I", raw[qo:qo + 4])[0]; qs = raw[qo + 4: qo + 20]
            vals = [0.0] * 32
            for j in range(16):
                lo = (qs[j] & 15) | (((qh >> j) & 1) << 4); hi = (qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)
                vals[j] = d * (lo - 16) if t == "Q5_0" else d * lo + m
                vals[j + 16] = d * (hi - 16) if t == "Q5_0" else d * hi + m
            out += vals
    elif t == "Q8_1":
        for o in range(0, len(raw), 36):
            d = h2f(raw, o); out += [d * q for q in np.frombuffer(raw[o + 4:o + 36], np.int8).tolist()]
    elif t in ("Q4_K", "Q5_K"):
        bs = 144 if t == "Q4_K" else 176
        for o in range(0, len(raw), bs):
            d, dmin = h2f(raw, o), h2f(raw, o + 2); sc = raw[o + 4:o + 16]
            qh = raw[o + 16:o + 48] if t == "Q5_K" else None
            qs = raw[o + 16:o + 144] if t == "Q4_K" else raw[o + 48:o + 176]
            for g in range(8):
                s, m = k_scale_min(sc, g)
                for l in range(32):
                    byte = qs[32 * (g // 2) + l]
                    q = (byte >> 4) if g % 2 else (byte & 15)
                    if qh is not None: q |= ((qh[l] >> g) & 1) << 4
                    out.append(d * s * q - dmin * m)
    elif t == "Q6_K":
        for o in range(0, len(raw), 210):
            ql, qh = raw[o:o + 128], raw[o + 128:o + 192]
            sc = np.frombuffer(raw[o + 192:o + 208], np.int8).tolist(); d = h2f(raw, o + 208)
            y = [0.0] * 256
            for h in range(2):
                for l in range(32):
                    a, b, c = ql[64 * h + l], ql[64 * h + l + 32], qh[32 * h + l]
                    qs4 = [(a & 15) | ((c & 3) << 4), (b & 15) | (((c >> 2) & 3) << 4),
                           (a >> 4) | (((c >> 4) & 3) << 4), (b >> 4) | (((c >> 6) & 3) << 4)]
                    for k in range(4):
                        y[128 * h + 32 * k + l] = d * sc[8 * h + l // 16 + 2 * k] * (qs4[k] - 32)
            out += y
    return out

gk = [("general.architecture", "string", "tiny"), ("tiny.u8", "uint8", 200), ("tiny.i8", "int8", -5),
      ("tiny.u16", "uint16", 60000), ("tiny.i16", "int16", -30000), ("tiny.u32", "uint32", 4000000000),
      ("tiny.i32", "int32", -2000000000), ("tiny.f32", "float32", 0.5), ("tiny.bool", "bool", True),
      ("tiny.u64", "uint64", 2 ** 63 + 5), ("tiny.i64", "int64", -(2 ** 62) - 3), ("tiny.f64", "float64", 1e6),
      ("tokenizer.tokens", "strings", ["<s>", "héllo", "", "wörld"]), ("tiny.ints", "array:int32", [1, -2, 3]),
      ("tiny.flt", "array:float32", [0.25, -1.5]), ("tiny.bools", "array:bool", [True, False, True]),
      ("tiny.u64s", "array:uint64", [1, 2 ** 64 - 1]), ("tiny.f64s", "array:float64", [0.5, 2.0])]
GM = {}
for k, kind, v in gk:
    if kind == "string": GM[k] = v
    elif kind == "strings": GM[k] = {"strings": v}
    elif kind.startswith("array:"):
        dt = kind[6:]; dt32 = "float32" if dt == "float64" else dt
        GM[k] = desc(np.array(v, dtype=dt32), dt32)
    else:
        dt32 = "float32" if kind == "float64" else kind
        GM[k] = desc(np.array(v, dtype=dt32), dt32)

GT = {"float32": 0, "float16": 1, "int8": 24, "int16": 25, "int32": 26, "int64": 27, "float64": 28}
gts, gexp, gdeq = [], {}, {}
for d, t in GT.items():
    a = sample(d, (3, 4))
    gts.append((f"t.{d}", t, a.shape, a.astype(np.dtype(d).newbyteorder("<")).tobytes())); gexp[f"t.{d}"] = desc(a)
bf, bits = bf16_sample((2, 8))
gts.append(("t.bf16", 30, bf.shape, bits.astype("<u2").tobytes())); gexp["t.bf16"] = desc(bf, "bfloat16")
v1 = sample("float32", (5,)); gts.append(("vec", 0, (5,), v1.tobytes())); gexp["vec"] = desc(v1)
for name, t, enc in [("q40.weight", 2, enc_q4_0), ("q41.weight", 3, enc_q4_1), ("q80.weight", 8, enc_q8_0)]:
    x = (rng.standard_normal((3, 64)) * 2).astype(np.float32)
    x[0, :32] = 0.0  # an all-zero block
    raw, dq = enc(x)
    gts.append((name, t, x.shape, raw)); gdeq[name] = {"shape": [3, 64], "values": [float(v) for v in dq], "type": name}
x = rng.standard_normal((2, 32)).astype(np.float32)
raw, dq = enc_q4_0(x)
gts.append(("plain_q", 2, x.shape, raw)); gdeq["plain_q"] = {"shape": [2, 32], "values": [float(v) for v in dq]}
for name, t, tn, bs, halves, shape in [("q50", 6, "Q5_0", 22, [0], (2, 64)), ("q51", 7, "Q5_1", 24, [0, 2], (2, 64)),
                                       ("q81", 9, "Q8_1", 36, [0, 2], (2, 32)), ("q4k.weight", 12, "Q4_K", 144, [0, 2], (2, 256)),
                                       ("q5k", 13, "Q5_K", 176, [0, 2], (1, 512)), ("q6k", 14, "Q6_K", 210, [208], (2, 256))]:
    nb = int(np.prod(shape)) // (32 if bs < 100 else 256)
    raw = rand_blocks(nb, bs, halves)
    gts.append((name, t, shape, raw)); gdeq[name] = {"shape": list(shape), "values": [float(v) for v in deq(tn, raw)], "type": tn}
write_gguf(os.path.join(OUT, "py.gguf"), gk, gts)
manifest.append({"file": "py.gguf", "format": "gguf", "arrays": gexp, "metadata": GM, "dequant": gdeq})
write_gguf(os.path.join(OUT, "py_align64.gguf"), gk[:2], gts[:3], alignment=64)
manifest.append({"file": "py_align64.gguf", "format": "gguf", "arrays": {k: gexp[k] for k in ["t.float32", "t.float16", "t.int8"]},
                 "metadata": {k: GM[k] for k in ["general.architecture", "tiny.u8"]}})

json.dump(manifest, sys.stdout)
