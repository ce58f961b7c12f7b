"""Reads files written by mlx-ts with NumPy (.npy/.npz) and small hand-written readers (.safetensors/.gguf), so the
tests check our writers against code that is not ours.

Input (stdin): [{"file": path, "format": "npy"|"npz"|"safetensors"|"gguf"}]
Output: [{"arrays": {name: {"dtype", "shape", "values"}}, "metadata": {...}, "checks": {...}} | {"error": "..."}]
Values are encoded as in io-write.py (bfloat16 as float values).
"""
import json, math, struct, sys, zipfile
import numpy as np

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

def desc(a, name=None):
    a = np.asarray(a)
    if name is None:
        if a.dtype == np.dtype("V2"):
            name, a = "bfloat16", (a.view("<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            name = "bool" if a.dtype == np.bool_ else a.dtype.newbyteorder("=").name
    big = name in ("int64", "uint64")
    return {"dtype": name, "shape": list(a.shape), "values": [enc_val(x, big) for x in a.reshape(-1).tolist()]}

ST = {"BOOL": "?", "U8": "u1", "I8": "i1", "U16": "<u2", "I16": "<i2", "U32": "<u4", "I32": "<i4", "U64": "<u8",
      "I64": "<i8", "F16": "<f2", "F32": "<f4", "F64": "<f8", "C64": "<c8", "BF16": "<u2"}

def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    arrays, spans = {}, []
    for name, e in header.items():
        b, end = e["data_offsets"]
        a = np.frombuffer(raw[base + b: base + end], ST[e["dtype"]]).reshape(e["shape"])
        spans.append((b, end, np.dtype(ST[e["dtype"]]).itemsize, name))
        if e["dtype"] == "BF16":
            arrays[name] = desc((a.astype(np.uint32) << 16).view(np.float32), "bfloat16")
        else:
            arrays[name] = desc(a)
    spans.sort()
    contiguous = all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1)) and (not spans or spans[0][0] == 0)
    aligned = all(s[0] % s[2] == 0 for s in spans)
    order = [s[3] for s in spans]
    checks = {"header_len_mod8": n % 8, "contiguous": contiguous, "aligned": aligned, "data_order": order,
              "ends_at_eof": (spans[-1][1] if spans else 0) + base == len(raw)}
    return {"arrays": arrays, "metadata": meta, "checks": checks}

VT = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
VN = {0: "uint8", 1: "int8", 2: "uint16", 3: "int16", 4: "uint32", 5: "int32", 6: "float32", 7: "bool",
      10: "uint64", 11: "int64", 12: "float64"}
GT = {0: "<f4", 1: "<f2", 24: "i1", 25: "<i2", 26: "<i4", 27: "<i8", 28: "<f8", 30: "<u2"}

def read_gguf(path):
    raw = open(path, "rb").read()
    pos = 0
    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, raw, pos); pos += struct.calcsize(fmt); return v[0]
    def gstr():
        nonlocal pos
        n = take("<Q"); s = raw[pos:pos + n].decode(); pos += n; return s
    assert raw[:4] == b"GGUF"; pos = 4
    version = take("<I"); nt = take("<Q"); nk = take("<Q")
    meta, align = {}, 32
    for _ in range(nk):
        key = gstr(); t = take("<I")
        if t == 8: meta[key] = gstr()
        elif t == 9:
            et = take("<I"); n = take("<Q")
            if et == 8: meta[key] = {"strings": [gstr() for _ in range(n)]}
            else: meta[key] = desc(np.array([take(VT[et]) for _ in range(n)], dtype=VN[et]), VN[et])
        else:
            v = take(VT[t]); meta[key] = desc(np.array(v, dtype=VN[t]), VN[t])
            if key == "general.alignment": align = v
    infos = []
    for _ in range(nt):
        name = gstr(); nd = take("<I"); dims = [take("<Q") for _ in range(nd)]; t = take("<I"); off = take("<Q")
        infos.append((name, dims, t, off))
    base = (pos + align - 1) // align * align
    arrays = {}
    for name, dims, t, off in infos:
        shape = list(reversed(dims)); n = int(np.prod(shape)) if shape else 1
        dt = np.dtype(GT[t])
        a = np.frombuffer(raw[base + off: base + off + n * dt.itemsize], dt).reshape(shape)
        arrays[name] = desc((a.astype(np.uint32) << 16).view(np.float32), "bfloat16") if t == 30 else desc(a)
    return {"arrays": arrays, "metadata": meta, "checks": {"version": version, "offsets_aligned": all(i[3] % align == 0 for i in infos)}}

def main():
    out = []
    for c in json.load(sys.stdin):
        try:
            f, fmt = c["file"], c["format"]
            if fmt == "npy":
                a = np.load(f)
                out.append({"arrays": {"": desc(a)}})
            elif fmt == "npz":
                with zipfile.ZipFile(f) as z:
                    bad = z.testzip()
                    methods = sorted({i.compress_type for i in z.infolist()})
                with np.load(f) as z:
                    out.append({"arrays": {k: desc(z[k]) for k in z.files}, "checks": {"crc_ok": bad is None, "methods": methods}})
            elif fmt == "safetensors":
                out.append(read_safetensors(f))
            elif fmt == "gguf":
                out.append(read_gguf(f))
        except Exception as e:
            out.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(out, sys.stdout)

main()
