/**
 * @file GGUF (v2, v3; little-endian): header, metadata key/values of every type, tensor infos, aligned data. Read
 * returns lazy arrays (MLX shapes: GGML's dimension order reversed) and metadata as MLX gives it: integer, float
 * and bool scalars become 0-d arrays (float64 becomes float32, as in MLX), numeric arrays 1-D arrays, strings
 * strings, string arrays `string[]`. Quantized tensors: see gguf-quant.ts. Write covers unquantized dtypes.
 */
import * as dt from '../core/dtype.js';
import type { Dtype } from '../core/dtype.js';
import type { MxArray } from '../core/array.js';
import type { Stream } from '../core/device.js';
import { fromValues } from '../core/construct.js';
import { typedArrayFor } from '../core/host.js';
import { formatError, decodeUtf8, type ByteSource } from './source.js';
import { lazyArray, lazyQuantized } from './lazy.js';
import { GGML_TYPE_NAMES, QUANT_BLOCKS, AFFINE_BITS } from './gguf-quant.js';

/** A GGUF metadata value as `load` returns it (and `saveGguf` accepts). */
export type GgufValue = MxArray | string | string[];

const TENSOR_DTYPES: Record<number, Dtype> = {
  0: dt.float32, 1: dt.float16, 24: dt.int8, 25: dt.int16, 26: dt.int32, 27: dt.int64, 28: dt.float64, 30: dt.bfloat16,
};
const TENSOR_CODES = new Map<Dtype, number>(Object.entries(TENSOR_DTYPES).map(([k, v]) => [v, Number(k)]));

// metadata value types: id -> (dtype of the value, bytes)
const VALUE_DTYPES: Record<number, [Dtype, number]> = {
  0: [dt.uint8, 1], 1: [dt.int8, 1], 2: [dt.uint16, 2], 3: [dt.int16, 2], 4: [dt.uint32, 4], 5: [dt.int32, 4],
  6: [dt.float32, 4], 7: [dt.bool, 1], 10: [dt.uint64, 8], 11: [dt.int64, 8], 12: [dt.float64, 8],
};
const T_STRING = 8, T_ARRAY = 9;

const lenient = new TextDecoder('utf-8');

/** A forward reader over a source that fetches windows as needed (headers with big vocabularies stay cheap). */
class Cursor {
  pos: number;
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private view = new DataView(this.buf.buffer);
  constructor(readonly src: ByteSource, readonly op: string, pos = 0) { this.pos = pos; }

  fail(m: string): Error { return formatError(this.op, this.src, `invalid GGUF file: ${m}`); }

  /** Makes `[pos, pos + n)` available and returns its index in `buf`. */
  need(n: number, what: string): number {
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.src.size) {
      throw this.fail(`${what} needs ${n} bytes at offset ${this.pos} but the file has ${this.src.size} (truncated).`);
    }
    if (this.pos < this.start || this.pos + n > this.start + this.buf.length) {
      const len = Math.min(this.src.size - this.pos, Math.max(n, 1 << 20));
      this.buf = this.src.read(this.pos, len);
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
      this.start = this.pos;
    }
    const i = this.pos - this.start;
    this.pos += n;
    return i;
  }
  u32(what: string): number { return this.view.getUint32(this.need(4, what), true); }
  u64(what: string): number {
    const v = this.view.getBigUint64(this.need(8, what), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.fail(`${what} is ${v}, far beyond the file size.`);
    return Number(v);
  }
  bytes(n: number, what: string): Uint8Array { const i = this.need(n, what); return this.buf.subarray(i, i + n); }
  str(what: string, strict = false): string {
    const n = this.u64(`the length of ${what}`);
    const b = this.bytes(n, what);
    return strict ? decodeUtf8(this.op, this.src, b, what) : lenient.decode(b);
  }
  remaining(): number { return this.src.size - this.pos; }
}

/** Values of a numeric type as a typed array in MLX storage layout (float64 narrowed to float32, as MLX does). */
function numericValues(c: Cursor, type: number, count: number, what: string): [Dtype, ArrayBufferView] {
  const [dtype, size] = VALUE_DTYPES[type]!;
  const raw = c.bytes(count * size, what).slice();
  if (dtype === dt.float64) return [dt.float32, Float32Array.from(new Float64Array(raw.buffer))];
  if (dtype === dt.bool) for (let i = 0; i < raw.length; i++) raw[i] = raw[i] ? 1 : 0;
  const t = typedArrayFor(dtype, 0).constructor as unknown as new (b: ArrayBuffer) => ArrayBufferView;
  return [dtype, new t(raw.buffer)];
}

function readValue(c: Cursor, type: number, key: string): GgufValue {
  if (type === T_STRING) return c.str(`the value of ${key}`);
  if (VALUE_DTYPES[type]) {
    const [dtype, vals] = numericValues(c, type, 1, `the value of ${key}`);
    return fromValues(vals as never, dtype, [], undefined);
  }
  if (type !== T_ARRAY) throw c.fail(`metadata key "${key}" has unknown value type ${type}.`);
  const et = c.u32(`the element type of ${key}`);
  const n = c.u64(`the length of ${key}`);
  if (et === T_STRING) {
    // each string takes at least its 8-byte length: refuse counts the file cannot hold before looping
    if (n * 8 > c.remaining()) throw c.fail(`metadata array "${key}" claims ${n} strings, more than the file can hold.`);
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = c.str(`element ${i} of ${key}`);
    return out;
  }
  if (et === T_ARRAY) throw c.fail(`metadata key "${key}" is an array of arrays (MLX loads only one level).`);
  if (!VALUE_DTYPES[et]) throw c.fail(`metadata array "${key}" has unknown element type ${et}.`);
  const [dtype, vals] = numericValues(c, et, n, `the values of ${key}`);
  return fromValues(vals as never, dtype, [n], undefined);
}

/** Parsed contents: lazy arrays (quantized ones as `name`, `<prefix>.scales`, `<prefix>.biases`) and metadata. */
export interface GgufContents {
  arrays: Record<string, MxArray>;
  metadata: Record<string, GgufValue>;
}

/** Reads a GGUF source's header and returns lazy arrays and its metadata. */
export function readGguf(src: ByteSource, stream: Stream, op = 'load'): GgufContents {
  const c = new Cursor(src, op);
  if (src.size < 24) throw c.fail(`only ${src.size} bytes, too short for a header.`);
  const magic = c.bytes(4, 'the magic');
  if (magic[0] !== 0x47 || magic[1] !== 0x47 || magic[2] !== 0x55 || magic[3] !== 0x46) throw c.fail('wrong magic (not a GGUF file).');
  const version = c.u32('the version');
  if (version === 0x02000000 || version === 0x03000000) throw c.fail('big-endian GGUF files are not supported.');
  if (version !== 2 && version !== 3) throw c.fail(`unsupported version ${version} (only 2 and 3).`);
  const nTensors = c.u64('the tensor count'), nKv = c.u64('the metadata count');
  if (nTensors * 24 > src.size || nKv * 12 > src.size) throw c.fail(`header claims ${nTensors} tensors and ${nKv} metadata keys, more than the file can hold.`);
  const metadata: Record<string, GgufValue> = {};
  let alignment = 32;
  for (let i = 0; i < nKv; i++) {
    const key = c.str(`metadata key ${i}`, true);
    const type = c.u32(`the type of ${key}`);
    if (key === 'general.alignment') {
      if (type !== 4) throw c.fail('general.alignment is not a uint32.');
      const at = c.pos;
      alignment = c.u32('general.alignment');
      c.pos = at;
      if (!(alignment > 0) || alignment % 8 !== 0) throw c.fail(`general.alignment ${alignment} is not a positive multiple of 8.`);
    }
    metadata[key] = readValue(c, type, key);
  }
  const infos: { name: string; dims: number[]; type: number; offset: number }[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = c.str(`the name of tensor ${i}`, true);
    const nd = c.u32(`the rank of ${name}`);
    if (nd > 8) throw c.fail(`tensor "${name}" claims ${nd} dimensions.`);
    const dims: number[] = [];
    for (let k = 0; k < nd; k++) dims.push(c.u64(`dimension ${k} of ${name}`));
    const type = c.u32(`the type of ${name}`);
    infos.push({ name, dims, type, offset: c.u64(`the offset of ${name}`) });
  }
  const dataStart = Math.ceil(c.pos / alignment) * alignment;
  const arrays: Record<string, MxArray> = {};
  const put = (k: string, a: MxArray): void => {
    if (k in arrays) throw c.fail(`duplicate tensor name "${k}" (quantized tensors add .scales/.biases).`);
    arrays[k] = a;
  };
  const spans: [number, number, string][] = [];
  for (const t of infos) {
    const shape = [...t.dims].reverse();
    const n = t.dims.reduce((a, d) => a * d, 1);
    const tname = GGML_TYPE_NAMES[t.type] ?? `unknown type ${t.type}`;
    const dtype = TENSOR_DTYPES[t.type];
    const q = QUANT_BLOCKS[tname];
    if (!dtype && !q) throw c.fail(`tensor "${t.name}" has GGML type ${tname} (${t.type}), which is not supported.`);
    if (q && (t.dims.length === 0 || t.dims[0]! % q.block !== 0)) {
      throw c.fail(`tensor "${t.name}" of type ${tname} has a row length ${t.dims[0]} that is not a multiple of ${q.block}.`);
    }
    const nbytes = dtype ? n * dtype.size : (n / q!.block) * q!.bytes;
    const at = dataStart + t.offset;
    if (!Number.isSafeInteger(nbytes) || at + nbytes > src.size) {
      throw c.fail(`tensor "${t.name}" needs bytes [${at}, ${at + nbytes}) but the file has ${src.size} (truncated).`);
    }
    spans.push([t.offset, t.offset + nbytes, t.name]);
    if (dtype) { put(t.name, lazyArray(src, at, shape, dtype, stream)); continue; }
    const bits = AFFINE_BITS[tname];
    if (bits) {
      const [w, s, b] = lazyQuantized(src, at, nbytes, tname, shape, 'affine', bits, stream);
      const prefix = t.name.endsWith('.weight') ? t.name.slice(0, -7) : t.name;
      put(t.name, w!); put(`${prefix}.scales`, s!); put(`${prefix}.biases`, b!);
    } else {
      put(t.name, lazyQuantized(src, at, nbytes, tname, shape, 'float16', 0, stream)[0]!);
    }
  }
  spans.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) throw c.fail(`tensors "${spans[i - 1]![2]}" and "${spans[i]![2]}" overlap.`);
  }
  return { arrays, metadata };
}

/** A metadata value ready to write: its type id and bytes (after the key). */
export interface GgufKv { key: string; type: number; bytes: Uint8Array }

const enc = new TextEncoder();
function u64le(n: number): Uint8Array { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b; }
function u32le(n: number): Uint8Array { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; }
function gstr(s: string): Uint8Array[] { const b = enc.encode(s); return [u64le(b.length), b]; }
function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** The value type id GGUF uses for an array's dtype in metadata (undefined: not representable). */
export function ggufValueType(d: Dtype): number | undefined {
  for (const [k, [vd]] of Object.entries(VALUE_DTYPES)) if (vd === d) return Number(k);
  return undefined;
}

/** Encodes a string or string-array metadata value; numeric ones are encoded by the caller from array bytes. */
export function kvString(key: string, v: string | string[]): GgufKv {
  if (typeof v === 'string') return { key, type: T_STRING, bytes: join(gstr(v)) };
  return { key, type: T_ARRAY, bytes: join([u32le(T_STRING), u64le(v.length), ...v.flatMap(gstr)]) };
}

/** Encodes a numeric metadata value from its raw bytes: a scalar (0-d) or a 1-D array. */
export function kvNumeric(key: string, type: number, count: number, scalar: boolean, data: Uint8Array): GgufKv {
  if (scalar) return { key, type, bytes: data };
  return { key, type: T_ARRAY, bytes: join([u32le(type), u64le(count), data]) };
}

/** The GGML tensor type of a dtype (undefined: not writable). */
export function ggmlType(d: Dtype): number | undefined { return TENSOR_CODES.get(d); }

/** The chunks of a GGUF v3 file (alignment 32). */
export function ggufChunks(
  tensors: { name: string; dtype: Dtype; shape: readonly number[]; data: Uint8Array }[], kvs: GgufKv[],
): Uint8Array[] {
  const ALIGN = 32;
  const head: Uint8Array[] = [enc.encode('GGUF'), u32le(3), u64le(tensors.length), u64le(kvs.length)];
  for (const kv of kvs) head.push(...gstr(kv.key), u32le(kv.type), kv.bytes);
  let off = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    off = Math.ceil(off / ALIGN) * ALIGN;
    offsets.push(off);
    head.push(...gstr(t.name), u32le(t.shape.length));
    for (let i = t.shape.length - 1; i >= 0; i--) head.push(u64le(t.shape[i]!));
    head.push(u32le(ggmlType(t.dtype)!), u64le(off));
    off += t.data.byteLength;
  }
  const out = [join(head)];
  let pos = out[0]!.length;
  const pad = (to: number): void => { const p = Math.ceil(pos / to) * to - pos; if (p) out.push(new Uint8Array(p)); pos += p; };
  pad(ALIGN);
  for (const t of tensors) {
    pad(ALIGN);
    out.push(t.data);
    pos += t.data.byteLength;
  }
  return out;
}
