/**
 * @file The NumPy `.npy` format, versions 1 to 3: a magic string, a header length, a Python dict literal
 * (`descr`, `fortran_order`, `shape`) padded to 64 bytes, then the raw data. bfloat16 has no NumPy code; MLX writes
 * and reads it as `<V2` (two raw bytes), and so do we.
 */
import * as dt from '../core/dtype.js';
import type { Dtype } from '../core/dtype.js';
import { checkRange, formatError, decodeUtf8, type ByteSource } from './source.js';

const latin1 = new TextDecoder('latin1');
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A parsed npy header: where the data starts and how to read it. */
export interface NpyHeader {
  dtype: Dtype;
  shape: number[];
  fortran: boolean;
  /** Byte width to reverse for big-endian data (0: native). */
  swap: number;
  /** Offset of the data in the source. */
  dataOffset: number;
}

const DESCR: Record<string, Dtype> = {
  b1: dt.bool, u1: dt.uint8, u2: dt.uint16, u4: dt.uint32, u8: dt.uint64,
  i1: dt.int8, i2: dt.int16, i4: dt.int32, i8: dt.int64,
  f2: dt.float16, f4: dt.float32, f8: dt.float64, c8: dt.complex64, V2: dt.bfloat16,
};

/** Whether bytes start with the npy magic. */
export function isNpy(head: Uint8Array): boolean {
  return head.length >= 6 && MAGIC.every((m, i) => head[i] === m);
}

type PyValue = string | boolean | number[] | null;

/** Parses the header's dict literal (string keys; values: strings, True/False/None, tuples of ints). */
function parseDict(text: string, fail: (m: string) => Error): Map<string, PyValue> {
  let i = 0;
  const ws = (): void => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const expect = (c: string): void => { ws(); if (text[i] !== c) throw fail(`expected '${c}' at column ${i} of the header.`); i++; };
  const str = (): string => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"') throw fail(`expected a string at column ${i} of the header.`);
    const end = text.indexOf(q, i + 1);
    if (end < 0) throw fail('unterminated string in the header.');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') return str();
    if (c === '(') {
      i++;
      const out: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ')') { i++; return out; }
        const m = /^\d+/.exec(text.slice(i, i + 24));
        if (!m) throw fail(`bad shape entry at column ${i} of the header.`);
        const n = Number(m[0]);
        if (!Number.isSafeInteger(n)) throw fail(`shape entry ${m[0]} is too large.`);
        out.push(n);
        i += m[0].length;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') throw fail(`expected ',' or ')' at column ${i} of the header.`);
      }
    }
    for (const [w, v] of [['True', true], ['False', false], ['None', null]] as const) {
      if (text.startsWith(w, i)) { i += w.length; return v; }
    }
    if (c === '[' || c === '{') throw fail('structured dtypes are not supported.');
    throw fail(`unexpected value at column ${i} of the header.`);
  };
  const out = new Map<string, PyValue>();
  expect('{');
  for (;;) {
    ws();
    if (text[i] === '}') break;
    const k = str();
    expect(':');
    out.set(k, value());
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw fail(`expected ',' or '}' at column ${i} of the header.`);
  }
  return out;
}

/** Reads and validates an npy header at `base` of a source; the data are not read. */
export function readNpyHeader(src: ByteSource, op = 'load', base = 0): NpyHeader {
  const fail = (m: string): Error => formatError(op, src, `invalid .npy file: ${m}`);
  if (src.size - base < 10) throw fail(`only ${src.size - base} bytes, too short for a header.`);
  const pre = src.read(base, 12 <= src.size - base ? 12 : 10);
  if (!isNpy(pre)) throw fail('wrong magic (not a .npy file).');
  const major = pre[6]!;
  if (major < 1 || major > 3) throw fail(`unsupported format version ${major}.${pre[7]}.`);
  const lenBytes = major === 1 ? 2 : 4;
  if (pre.length < 8 + lenBytes) throw fail('truncated header length.');
  const hlen = major === 1 ? pre[8]! | (pre[9]! << 8) : (pre[8]! | (pre[9]! << 8) | (pre[10]! << 16) | (pre[11]! << 24)) >>> 0;
  const hstart = base + 8 + lenBytes;
  if (hstart + hlen > src.size) {
    throw fail(`header claims ${hlen} bytes but only ${src.size - hstart} follow (truncated file).`);
  }
  const raw = src.read(hstart, hlen);
  // v1 and v2 headers are latin-1; v3 is UTF-8 (the dict itself is ASCII either way)
  const text = major === 3 ? decodeUtf8(op, src, raw, 'the .npy header') : latin1.decode(raw);
  const dict = parseDict(text, fail);
  const descr = dict.get('descr'), fortran = dict.get('fortran_order'), shape = dict.get('shape');
  if (typeof descr !== 'string') throw fail("header lacks a string 'descr' (structured dtypes are not supported).");
  if (typeof fortran !== 'boolean') throw fail("header lacks 'fortran_order'.");
  if (!Array.isArray(shape)) throw fail("header lacks a 'shape' tuple.");
  const order = descr[0]!;
  const code = '<>|='.includes(order) ? descr.slice(1) : descr;
  const dtype = DESCR[code];
  if (!dtype) {
    const why = code === 'c16' ? ' (complex128 has no MLX dtype)' : code === 'f16' || code === 'g' ? ' (long double has no MLX dtype)' : '';
    throw fail(`unsupported dtype '${descr}'${why}.`);
  }
  let n = 1;
  for (const d of shape) n *= d;
  const nbytes = n * dtype.size;
  const dataOffset = hstart + hlen;
  if (!Number.isSafeInteger(nbytes) || dataOffset + nbytes > src.size) {
    throw fail(`shape (${shape.join(', ')}) of ${descr} needs ${nbytes} data bytes but the file has ${src.size - dataOffset} (truncated file).`);
  }
  checkRange(op, src, dataOffset, nbytes, 'the array data');
  // complex64 is two float32 words; bfloat16 (V2) is a 2-byte word as MLX writes it
  const width = dtype === dt.complex64 ? 4 : dtype.size;
  return { dtype, shape, fortran, swap: order === '>' && width > 1 ? width : 0, dataOffset };
}

function descrOf(d: Dtype): string {
  if (d === dt.bool) return '|b1';
  if (d === dt.bfloat16) return '<V2';
  const k = d.kind === 'V' ? 'V' : d.kind;
  return `${d.size === 1 ? '|' : '<'}${k}${d.size}`;
}

/** The header bytes (magic through padding) of a row-major little-endian npy file; data follow it. */
export function npyHeaderBytes(dtype: Dtype, shape: readonly number[]): Uint8Array {
  const shp = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descrOf(dtype)}', 'fortran_order': False, 'shape': ${shp}, }`;
  // pad so the data start on a 64-byte boundary, as NumPy does; the header ends with '\n'
  let v = 1, pre = 10;
  let total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  if (total - pre > 65535) { v = 2; pre = 12; total = Math.ceil((pre + dict.length + 1) / 64) * 64; }
  dict = dict + ' '.repeat(total - pre - dict.length - 1) + '\n';
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = v; out[7] = 0;
  const hl = dict.length;
  if (v === 1) { out[8] = hl & 255; out[9] = hl >> 8; }
  else { out[8] = hl & 255; out[9] = (hl >> 8) & 255; out[10] = (hl >> 16) & 255; out[11] = hl >>> 24; }
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  return out;
}
