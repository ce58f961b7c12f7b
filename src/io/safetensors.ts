/**
 * @file `.safetensors`: an 8-byte little-endian header length, a JSON header (`{name: {dtype, shape,
 * data_offsets}}` plus an optional `__metadata__` of strings), then the data. Reading validates every entry against
 * the file size before any tensor exists; tensors are lazy (read when evaluated). Writing follows the Hugging Face
 * writer: tensors ordered by element size (largest first) then name, so each one is aligned to its element size,
 * and the header padded with spaces to a multiple of 8 bytes.
 */
import * as dt from '../core/dtype.js';
import type { Dtype } from '../core/dtype.js';
import type { MxArray } from '../core/array.js';
import type { Stream } from '../core/device.js';
import { formatError, decodeUtf8, type ByteSource } from './source.js';
import { lazyArray } from './lazy.js';

const DTYPES: Record<string, Dtype> = {
  BOOL: dt.bool, U8: dt.uint8, I8: dt.int8, U16: dt.uint16, I16: dt.int16, U32: dt.uint32, I32: dt.int32,
  U64: dt.uint64, I64: dt.int64, F16: dt.float16, BF16: dt.bfloat16, F32: dt.float32, F64: dt.float64,
  C64: dt.complex64,
};
const CODES = new Map<Dtype, string>(Object.entries(DTYPES).map(([k, v]) => [v, k]));

/** Headers past this size are refused (the Hugging Face reader's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Parsed contents: lazy arrays and the `__metadata__` strings. */
export interface SafetensorsContents {
  arrays: Record<string, MxArray>;
  metadata: Record<string, string>;
}

/** Reads the header of a safetensors source and returns lazy arrays for its tensors. */
export function readSafetensors(src: ByteSource, stream: Stream, op = 'load'): SafetensorsContents {
  const fail = (m: string): Error => formatError(op, src, `invalid .safetensors file: ${m}`);
  if (src.size < 8) throw fail(`only ${src.size} bytes, too short for the header length.`);
  const lb = src.read(0, 8);
  const lo = (lb[0]! | (lb[1]! << 8) | (lb[2]! << 16) | (lb[3]! << 24)) >>> 0;
  const hi = (lb[4]! | (lb[5]! << 8) | (lb[6]! << 16) | (lb[7]! << 24)) >>> 0;
  const n = hi * 2 ** 32 + lo;
  if (n > src.size - 8) throw fail(`header claims ${hi ? `${BigInt(hi) * 2n ** 32n + BigInt(lo)}` : n} bytes but only ${src.size - 8} follow (truncated or not a safetensors file).`);
  if (n > MAX_HEADER_BYTES) throw fail(`header of ${n} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit.`);
  if (n < 2) throw fail(`header of ${n} bytes is too short.`);
  let header: unknown;
  try {
    header = JSON.parse(decodeUtf8(op, src, src.read(8, n), 'the header'));
  } catch (e) {
    throw fail(`header is not valid JSON (${(e as Error).message}).`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw fail('header is not a JSON object.');
  const base = 8 + n, dataLen = src.size - base;
  const metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  const arrays: Record<string, MxArray> = {};
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) throw fail('__metadata__ is not an object.');
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw fail(`__metadata__ value of "${k}" is not a string.`);
        metadata[k] = v;
      }
      continue;
    }
    const e = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (e === null || typeof e !== 'object') throw fail(`entry "${name}" is not an object.`);
    const dtype = typeof e.dtype === 'string' ? DTYPES[e.dtype] : undefined;
    if (!dtype) throw fail(`tensor "${name}" has unsupported dtype ${JSON.stringify(e.dtype)}.`);
    const shape = e.shape, offs = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}.`);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d))) {
      throw fail(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offs)}.`);
    }
    const [b, end] = offs as [number, number];
    const size = (shape as number[]).reduce((a, d) => a * d, 1) * dtype.size;
    if (b < 0 || end < b) throw fail(`tensor "${name}" has invalid data_offsets [${b}, ${end}].`);
    if (end > dataLen) throw fail(`tensor "${name}" ends at byte ${end} of the data but the file holds ${dataLen} (truncated).`);
    if (end - b !== size) {
      throw fail(`tensor "${name}" of shape (${(shape as number[]).join(', ')}) and dtype ${e.dtype} needs ${size} bytes but data_offsets span ${end - b}.`);
    }
    spans.push([b, end, name]);
    arrays[name] = lazyArray(src, base + b, [...shape as number[]], dtype, stream);
  }
  spans.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) throw fail(`tensors "${spans[i - 1]![2]}" and "${spans[i]![2]}" overlap.`);
  }
  return { arrays, metadata };
}

/** One tensor to write: its dtype, shape and row-major bytes. */
export interface TensorBytes {
  name: string;
  dtype: Dtype;
  shape: readonly number[];
  data: Uint8Array;
}

/** The chunks of a safetensors file. */
export function safetensorsChunks(tensors: TensorBytes[], metadata: Record<string, string> | undefined, op: string): Uint8Array[] {
  const order = [...tensors].sort((a, b) => b.dtype.size - a.dtype.size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`[${op}] Metadata value of "${k}" must be a string, got ${typeof v}.`);
    }
    header.__metadata__ = metadata;
  }
  let off = 0;
  for (const t of order) {
    const code = CODES.get(t.dtype);
    if (!code) throw new TypeError(`[${op}] dtype ${t.dtype.name} of "${t.name}" has no safetensors code.`);
    if (t.name === '__metadata__') throw new Error(`[${op}] "__metadata__" cannot name a tensor.`);
    header[t.name] = { dtype: code, shape: [...t.shape], data_offsets: [off, off + t.data.byteLength] };
    off += t.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) {
    const p = new Uint8Array(json.length + pad).fill(0x20);
    p.set(json);
    json = p;
  }
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(json.length), true);
  return [len, json, ...order.map((t) => t.data)];
}
