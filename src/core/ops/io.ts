/**
 * @file Saving and loading arrays (MLX's `save`, `savez`, `savez_compressed`, `save_safetensors`, `save_gguf`,
 * `load`): `.npy`, `.npz`, `.safetensors` (also sharded, via `loadSafetensorsIndex`) and `.gguf`.
 *
 * Loading is lazy, as in MLX: `load` reads and validates the header at once and returns pending arrays; each reads
 * its own byte range from the file when evaluated, straight into its buffer (one allocation, no extra copy), so
 * multi-GB checkpoints cost only what is used. Files are inputs as paths (Node) or bytes (`Uint8Array` or
 * `ArrayBuffer`, in browsers too); outputs go to a path or to any object with `write(bytes)`.
 */
import { MxArray } from '../array.js';
import { cpu, toStream, type StreamOrDevice } from '../device.js';
import { optArgs } from './args.js';
import { MemorySource, BytesSink, type ByteSink, type ByteSource } from '../../io/source.js';
import { openFile, emit, loadZlib, isDirectory, exists, joinPath, dirName } from '../../io/node.js';
import { readNpyHeader, npyHeaderBytes, isNpy } from '../../io/npy.js';
import { loadNpz, npzChunks } from '../../io/npz.js';
import { isZip } from '../../io/zip.js';
import { readSafetensors, safetensorsChunks, type TensorBytes } from '../../io/safetensors.js';
import { readGguf, ggufChunks, ggmlType, ggufValueType, kvString, kvNumeric, type GgufValue, type GgufKv } from '../../io/gguf.js';
import { lazyArray } from '../../io/lazy.js';
import { decodeUtf8 } from '../../io/source.js';
import '../primitives/io.js';

export { BytesSink, type ByteSink, type GgufValue };

/** A file to load: a path, or the file's bytes. */
export type FileInput = string | Uint8Array | ArrayBuffer;
/** Where to save: a path (an extension is added if missing) or a sink such as `new mx.BytesSink()`. */
export type FileOutput = string | ByteSink;
/** The formats `load` understands. */
export type LoadFormat = 'npy' | 'npz' | 'safetensors' | 'gguf';
/** Metadata `load` returns: strings for safetensors; arrays, strings or string lists for GGUF. */
export type LoadMetadata = Record<string, GgufValue>;
/** What `load` returns: an array (.npy), a dict of arrays, or `[dict, metadata]` with `returnMetadata`. */
export type LoadResult = MxArray | Record<string, MxArray> | [Record<string, MxArray>, LoadMetadata];

export interface LoadOpts {
  /** Format, when the path has no telling extension or the input is bytes (then sniffed from the magic if absent). */
  format?: LoadFormat;
  /** Also return the file's metadata (safetensors and GGUF only). */
  returnMetadata?: boolean;
  /** Where the arrays live (loads run on the CPU by default, as in MLX). */
  stream?: StreamOrDevice;
}

function withExt(file: FileOutput, ext: string): FileOutput {
  return typeof file === 'string' && !file.endsWith(ext) ? file + ext : file;
}

function checkArray(a: unknown, op: string, what: string): MxArray {
  if (!(a instanceof MxArray)) throw new TypeError(`[${op}] ${what} must be an MxArray, got ${a === null ? 'null' : typeof a}.`);
  a._check(op);
  return a;
}

/** Row-major bytes of an array (evaluates it). */
async function rawBytes(a: MxArray): Promise<Uint8Array> {
  const b = await a.bytes();
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}

async function sourceOf(file: FileInput, op: string): Promise<ByteSource> {
  if (typeof file === 'string') return openFile(file, op);
  if (file instanceof Uint8Array) return new MemorySource(file);
  if (file instanceof ArrayBuffer) return new MemorySource(new Uint8Array(file));
  throw new TypeError(`[${op}] Expected a path, a Uint8Array or an ArrayBuffer.`);
}

function formatOf(file: FileInput, src: ByteSource, format: LoadFormat | undefined, op: string): LoadFormat {
  if (format !== undefined) {
    if (!['npy', 'npz', 'safetensors', 'gguf'].includes(format)) throw new Error(`[${op}] Unknown format "${format}".`);
    return format;
  }
  if (typeof file === 'string') {
    const m = /\.([A-Za-z0-9]+)$/.exec(file);
    const ext = m?.[1]?.toLowerCase();
    if (ext === 'npy' || ext === 'npz' || ext === 'safetensors' || ext === 'gguf') return ext;
    throw new Error(`[${op}] Cannot infer the format of ${file} from its extension; pass { format }.`);
  }
  const head = src.read(0, Math.min(8, src.size));
  if (isNpy(head)) return 'npy';
  if (isZip(head)) return 'npz';
  if (head.length >= 4 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46) return 'gguf';
  return 'safetensors';
}

/**
 * Loads arrays from a `.npy`, `.npz`, `.safetensors` or `.gguf` file (a path, or its bytes). Arrays are lazy: each
 * reads its bytes when first evaluated. GGUF Q4_0, Q4_1, Q4_K and Q8_0 tensors come back in MLX's affine quantized
 * layout (`name` packed uint32, `<prefix>.scales`, `<prefix>.biases`, group size 32); Q5_0, Q5_1, Q8_1, Q5_K and
 * Q6_K are dequantized to float16.
 *
 * @example
 * ```ts
 * const w = await mx.load('weights.safetensors') as Record<string, mx.MxArray>;
 * const [arrays, meta] = await mx.load('model.gguf', { returnMetadata: true }) as [Record<string, mx.MxArray>, mx.LoadMetadata];
 * ```
 */
export async function load(
  file: FileInput, format?: LoadFormat | LoadOpts, returnMetadata?: boolean | LoadOpts, opts?: LoadOpts,
): Promise<LoadResult> {
  const o = optArgs<LoadOpts>(['format', 'returnMetadata'], [format, returnMetadata, opts], 'load');
  const { stream } = o, fmtOpt = o.format, wantMeta = o.returnMetadata;
  const s = toStream(stream ?? cpu, 'load');
  const src = await sourceOf(file, 'load');
  const fmt = formatOf(file, src, fmtOpt, 'load');
  if (wantMeta && (fmt === 'npy' || fmt === 'npz')) {
    throw new Error(`[load] returnMetadata is only supported for safetensors and gguf, not ${fmt}.`);
  }
  switch (fmt) {
    case 'npy': {
      const h = readNpyHeader(src, 'load');
      return lazyArray(src, h.dataOffset, h.shape, h.dtype, s, { swap: h.swap, fortran: h.fortran });
    }
    case 'npz':
      await loadZlib('load');
      return loadNpz(src, s, 'load');
    case 'safetensors': {
      const { arrays, metadata } = readSafetensors(src, s, 'load');
      return wantMeta ? [arrays, metadata] : arrays;
    }
    case 'gguf': {
      const { arrays, metadata } = readGguf(src, s, 'load');
      return wantMeta ? [arrays, metadata] : arrays;
    }
  }
}

/**
 * Loads a `.safetensors` file: its arrays and its `__metadata__`.
 *
 * @example
 * ```ts
 * const [weights, meta] = await mx.loadSafetensors('model.safetensors');
 * ```
 */
export async function loadSafetensors(file: FileInput, opts: { stream?: StreamOrDevice } = {}): Promise<[Record<string, MxArray>, Record<string, string>]> {
  const s = toStream(opts.stream ?? cpu, 'loadSafetensors');
  const { arrays, metadata } = readSafetensors(await sourceOf(file, 'loadSafetensors'), s, 'loadSafetensors');
  return [arrays, metadata];
}

/**
 * Loads a `.gguf` file: its arrays and its metadata.
 *
 * @example
 * ```ts
 * const [weights, meta] = await mx.loadGguf('model.gguf');
 * ```
 */
export async function loadGguf(file: FileInput, opts: { stream?: StreamOrDevice } = {}): Promise<[Record<string, MxArray>, Record<string, GgufValue>]> {
  const s = toStream(opts.stream ?? cpu, 'loadGguf');
  const { arrays, metadata } = readGguf(await sourceOf(file, 'loadGguf'), s, 'loadGguf');
  return [arrays, metadata];
}

/**
 * Loads a sharded safetensors checkpoint: a directory holding `model.safetensors.index.json` (or a single
 * `model.safetensors`), or the path of an index file. Every shard's arrays are returned (lazily), with the shards'
 * `__metadata__` merged. Throws if the index names a tensor its shard lacks.
 *
 * @example
 * ```ts
 * const [weights] = await mx.loadSafetensorsIndex('path/to/model');
 * ```
 */
export async function loadSafetensorsIndex(path: string, opts: { stream?: StreamOrDevice } = {}): Promise<[Record<string, MxArray>, Record<string, string>]> {
  const op = 'loadSafetensorsIndex';
  const s = toStream(opts.stream ?? cpu, op);
  let index = path;
  if (await isDirectory(path, op)) {
    index = joinPath(path, 'model.safetensors.index.json');
    if (!(await exists(index, op))) {
      const single = joinPath(path, 'model.safetensors');
      if (await exists(single, op)) return loadSafetensors(single, opts);
      throw new Error(`[${op}] ${path} holds neither model.safetensors.index.json nor model.safetensors.`);
    }
  }
  const isrc = await openFile(index, op);
  let json: { weight_map?: unknown };
  try {
    json = JSON.parse(decodeUtf8(op, isrc, isrc.read(0, isrc.size), 'the index')) as { weight_map?: unknown };
  } catch (e) {
    throw new Error(`[${op}] ${index}: not a valid index (${(e as Error).message}).`);
  }
  const map = json?.weight_map;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw new Error(`[${op}] ${index}: no "weight_map" object.`);
  const entries = Object.entries(map as Record<string, unknown>);
  const shards = new Map<string, string[]>();
  for (const [name, f] of entries) {
    if (typeof f !== 'string') throw new Error(`[${op}] ${index}: the shard of "${name}" is not a file name.`);
    if (!shards.has(f)) shards.set(f, []);
    shards.get(f)!.push(name);
  }
  const arrays: Record<string, MxArray> = {};
  const metadata: Record<string, string> = {};
  const dir = dirName(index);
  for (const [f, names] of shards) {
    const file = joinPath(dir, f);
    const c = readSafetensors(await openFile(file, op), s, op);
    for (const n of names) if (!(n in c.arrays)) throw new Error(`[${op}] ${file} lacks tensor "${n}" listed in ${index}.`);
    for (const [n, a] of Object.entries(c.arrays)) {
      if (n in arrays) throw new Error(`[${op}] tensor "${n}" appears in more than one shard.`);
      arrays[n] = a;
    }
    Object.assign(metadata, c.metadata);
  }
  return [arrays, metadata];
}

/**
 * Saves an array as `.npy` (`.npy` is appended to a path that lacks it). bfloat16 is written as `<V2`, as MLX does.
 *
 * @example
 * ```ts
 * await mx.save('x.npy', mx.arange(4));
 * ```
 */
export async function save(file: FileOutput, arr: MxArray): Promise<void> {
  checkArray(arr, 'save', 'arr');
  const data = await rawBytes(arr);
  await emit(withExt(file, '.npy'), [npyHeaderBytes(arr.dtype, arr.shape), data], 'save');
}

type SavezArg = MxArray | Record<string, MxArray>;

async function savezImpl(file: FileOutput, args: SavezArg[], compress: boolean, op: string): Promise<void> {
  const named: [string, MxArray][] = [];
  let pos = 0;
  for (const a of args) {
    if (a instanceof MxArray) named.push([`arr_${pos++}`, checkArray(a, op, `arr_${pos - 1}`)]);
    else if (a !== null && typeof a === 'object') for (const [k, v] of Object.entries(a)) named.push([k, checkArray(v, op, `"${k}"`)]);
    else throw new TypeError(`[${op}] Expected arrays or a record of arrays.`);
  }
  const seen = new Set<string>();
  for (const [k] of named) {
    if (seen.has(k)) throw new Error(`[${op}] Cannot use un-named variables and keyword ${k}.`);
    seen.add(k);
  }
  if (compress) await loadZlib(op);
  const members = [];
  for (const [k, a] of named) members.push({ name: `${k}.npy`, chunks: [npyHeaderBytes(a.dtype, a.shape), await rawBytes(a)] });
  await emit(withExt(file, '.npz'), npzChunks(members, compress), op);
}

/**
 * Saves several arrays in an uncompressed `.npz`: positional arrays are named `arr_0`, `arr_1`, ...; a record
 * gives names.
 *
 * @example
 * ```ts
 * await mx.savez('out.npz', { w, b });
 * await mx.savez('out2.npz', x, y); // arr_0, arr_1
 * ```
 */
export async function savez(file: FileOutput, ...arrays: SavezArg[]): Promise<void> {
  return savezImpl(file, arrays, false, 'savez');
}

/**
 * `savez` with each member deflate-compressed.
 *
 * @example
 * ```ts
 * await mx.savezCompressed('out.npz', { w });
 * ```
 */
export async function savezCompressed(file: FileOutput, ...arrays: SavezArg[]): Promise<void> {
  return savezImpl(file, arrays, true, 'savezCompressed');
}

async function tensorList(arrays: Record<string, MxArray>, op: string): Promise<TensorBytes[]> {
  if (arrays === null || typeof arrays !== 'object' || arrays instanceof MxArray) {
    throw new TypeError(`[${op}] Expected a record of arrays.`);
  }
  const out: TensorBytes[] = [];
  for (const [name, a] of Object.entries(arrays)) {
    checkArray(a, op, `"${name}"`);
    out.push({ name, dtype: a.dtype, shape: a.shape, data: await rawBytes(a) });
  }
  return out;
}

/**
 * Saves a record of arrays as `.safetensors` (appended to a path that lacks it), with optional string metadata.
 *
 * @example
 * ```ts
 * await mx.saveSafetensors('model.safetensors', weights, { format: 'mlx' });
 * ```
 */
export async function saveSafetensors(file: FileOutput, arrays: Record<string, MxArray>, metadata?: Record<string, string>): Promise<void> {
  const op = 'saveSafetensors';
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object')) throw new TypeError(`[${op}] metadata must be a record of strings.`);
  const chunks = safetensorsChunks(await tensorList(arrays, op), metadata, op);
  await emit(withExt(file, '.safetensors'), chunks, op);
}

/**
 * Saves a record of arrays as GGUF v3 (`.gguf` appended to a path that lacks it). Tensor dtypes: float32, float16,
 * bfloat16, float64, int8, int16, int32, int64. Metadata values: a string, a string list, or an array (0-d for a
 * scalar, 1-D for a list) of an integer, bool, float32 or float64 dtype.
 *
 * @example
 * ```ts
 * await mx.saveGguf('m.gguf', { 'tok.weight': w }, { 'general.name': 'tiny', 'tiny.n': mx.array(3, mx.uint32) });
 * ```
 */
export async function saveGguf(file: FileOutput, arrays: Record<string, MxArray>, metadata: Record<string, GgufValue> = {}): Promise<void> {
  const op = 'saveGguf';
  const tensors = await tensorList(arrays, op);
  for (const t of tensors) {
    if (ggmlType(t.dtype) === undefined) throw new TypeError(`[${op}] dtype ${t.dtype.name} of "${t.name}" cannot be saved in GGUF.`);
  }
  const kvs: GgufKv[] = [];
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) { kvs.push(kvString(k, v)); continue; }
    if (!(v instanceof MxArray)) throw new TypeError(`[${op}] Metadata "${k}" must be a string, a string list or an array.`);
    v._check(op);
    const type = ggufValueType(v.dtype);
    if (type === undefined) throw new TypeError(`[${op}] Metadata "${k}" has dtype ${v.dtype.name}, which GGUF cannot store.`);
    if (v.ndim > 1) throw new Error(`[${op}] Metadata "${k}" has ${v.ndim} dimensions; only 0-d or 1-D arrays are allowed.`);
    if (v.size === 0) throw new Error(`[${op}] Metadata "${k}" is empty.`);
    kvs.push(kvNumeric(k, type, v.size, v.ndim === 0, await rawBytes(v)));
  }
  await emit(withExt(file, '.gguf'), ggufChunks(tensors, kvs), op);
}
