/**
 * @file `.npz`: a zip of `.npy` members. Stored members stay lazy (each array reads its byte range when evaluated,
 * checking the member's CRC-32 then); deflated members are inflated (and CRC-checked) at load, since their npy
 * headers are inside the compressed stream.
 */
import type { MxArray } from '../core/array.js';
import type { Stream } from '../core/device.js';
import { formatError, MemorySource, SubSource, concatBytes, type ByteSource } from './source.js';
import { readNpyHeader, npyHeaderBytes } from './npy.js';
import { readZip, writeZip, crc32, type ZipMember } from './zip.js';
import { lazyArray } from './lazy.js';
import { zlib } from './node.js';
import type { Dtype } from '../core/dtype.js';

/** Loads every member as an array, keyed by its name without `.npy`. Needs `loadZlib` first if any is deflated. */
export function loadNpz(src: ByteSource, stream: Stream, op = 'load'): Record<string, MxArray> {
  const out: Record<string, MxArray> = {};
  for (const e of readZip(src, op)) {
    if (e.name.endsWith('/')) continue; // a directory entry
    const key = e.name.endsWith('.npy') ? e.name.slice(0, -4) : e.name;
    const label = `${src.label}[${e.name}]`;
    let member: ByteSource;
    let verify: ((b: Uint8Array) => void) | undefined;
    if (e.method === 8) {
      const comp = src.read(e.dataOffset, e.csize);
      let raw: Uint8Array;
      try {
        // deflate expands at most ~1032x: bound the output by what the member can really hold
        raw = zlib().inflateRawSync(comp, { maxOutputLength: Math.max(1, Math.min(e.usize, e.csize * 1040 + 1024)) });
      } catch (err) {
        throw formatError(op, { label }, `corrupt deflate data (${(err as Error).message}).`);
      }
      if (raw.length !== e.usize) throw formatError(op, { label }, `inflated to ${raw.length} bytes, the directory says ${e.usize}.`);
      if (crc32(raw) !== e.crc) throw formatError(op, { label }, 'bad CRC-32 (corrupt member).');
      member = new MemorySource(raw, label);
    } else {
      member = new SubSource(src, e.dataOffset, e.csize, label);
    }
    const h = readNpyHeader(member, op);
    const nbytes = h.shape.reduce((a, b) => a * b, 1) * h.dtype.size;
    if (e.method === 0 && h.dataOffset + nbytes === e.usize) {
      const head = crc32(member.read(0, h.dataOffset));
      verify = (b) => {
        if (crc32(b, head) !== e.crc) throw formatError(op, { label }, 'bad CRC-32 (corrupt member).');
      };
    }
    if (key in out) throw formatError(op, src, `duplicate member ${e.name}.`);
    out[key] = lazyArray(member, h.dataOffset, h.shape, h.dtype, stream, { swap: h.swap, fortran: h.fortran, verify });
  }
  return out;
}

/** One array's npy bytes, as (header, data) chunks. */
export function npyChunks(dtype: Dtype, shape: readonly number[], data: Uint8Array): Uint8Array[] {
  return [npyHeaderBytes(dtype, shape), data];
}

/** The chunks of an `.npz` holding the given npy members (deflated when `compress`; needs `loadZlib` first). */
export function npzChunks(members: { name: string; chunks: Uint8Array[] }[], compress: boolean, forceZip64 = false): Uint8Array[] {
  const zm: ZipMember[] = members.map(({ name, chunks }) => {
    let crc = 0, usize = 0;
    for (const c of chunks) { crc = crc32(c, crc); usize += c.byteLength; }
    if (!compress) return { name, chunks, crc, usize, deflated: false };
    const comp = zlib().deflateRawSync(concatBytes(chunks));
    return { name, chunks: [new Uint8Array(comp.buffer, comp.byteOffset, comp.byteLength)], crc, usize, deflated: true };
  });
  return writeZip(zm, forceZip64);
}
