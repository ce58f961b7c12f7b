/**
 * @file A small zip reader and writer for `.npz`: stored and deflated members, CRC-32, zip64 (NumPy writes every
 * member with zip64 extra fields). The reader works on a `ByteSource` and reads only the directory; member data
 * are read by the caller (lazily for stored members).
 */
import { checkRange, formatError, decodeUtf8, type ByteSource } from './source.js';

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** Continues a CRC-32 (zip's polynomial) over `b`; start with `crc = 0`. */
export function crc32(b: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 255]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** One member of a zip archive. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  csize: number;
  usize: number;
  /** Offset of the member's (compressed) data in the archive. */
  dataOffset: number;
}

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number): number => u32(b, o) + u32(b, o + 4) * 2 ** 32;

/** Whether bytes start like a zip archive. */
export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6);
}

/** Reads the central directory of an archive and locates each member's data. */
export function readZip(src: ByteSource, op = 'load'): ZipEntry[] {
  const fail = (m: string): Error => formatError(op, src, `invalid zip (.npz) archive: ${m}`);
  if (src.size < 22) throw fail(`only ${src.size} bytes, too short for a zip archive.`);
  const tailStart = Math.max(0, src.size - 22 - 65535);
  const tail = src.read(tailStart, src.size - tailStart);
  let e = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === 0x06054b50 && i + 22 + u16(tail, i + 20) <= tail.length) { e = i; break; }
  }
  if (e < 0) throw fail('no end-of-central-directory record (wrong magic or truncated file).');
  let entries = u16(tail, e + 10), cdSize = u32(tail, e + 12), cdOffset = u32(tail, e + 16);
  const eocdPos = tailStart + e;
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (eocdPos < 20) throw fail('zip64 locator missing.');
    const loc = src.read(eocdPos - 20, 20);
    if (u32(loc, 0) !== 0x07064b50) throw fail('zip64 locator missing.');
    const z = u64(loc, 8);
    checkRange(op, src, z, 56, 'the zip64 end record');
    const rec = src.read(z, 56);
    if (u32(rec, 0) !== 0x06064b50) throw fail('bad zip64 end record signature.');
    entries = u64(rec, 32); cdSize = u64(rec, 40); cdOffset = u64(rec, 48);
  }
  if (cdOffset + cdSize > eocdPos || entries * 46 > cdSize) {
    throw fail(`central directory (${entries} entries, ${cdSize} bytes at ${cdOffset}) does not fit the file.`);
  }
  const cd = src.read(cdOffset, cdSize);
  const out: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < entries; k++) {
    if (p + 46 > cd.length || u32(cd, p) !== 0x02014b50) throw fail(`bad central directory entry ${k}.`);
    const flags = u16(cd, p + 8), method = u16(cd, p + 10), crc = u32(cd, p + 16);
    let csize = u32(cd, p + 20), usize = u32(cd, p + 24), local = u32(cd, p + 42);
    const nlen = u16(cd, p + 28), xlen = u16(cd, p + 30), clen = u16(cd, p + 32);
    if (p + 46 + nlen + xlen + clen > cd.length) throw fail(`central directory entry ${k} overruns the directory.`);
    const name = decodeUtf8(op, src, cd.subarray(p + 46, p + 46 + nlen), 'a zip member name');
    // zip64 extra: the 64-bit values of the fields that hold 0xFFFFFFFF, in this order
    for (let x = p + 46 + nlen; x + 4 <= p + 46 + nlen + xlen;) {
      const id = u16(cd, x), sz = u16(cd, x + 2);
      if (id === 1) {
        let q = x + 4;
        const take = (): number => { if (q + 8 > x + 4 + sz) throw fail(`short zip64 field in ${name}.`); const v = u64(cd, q); q += 8; return v; };
        if (usize === 0xffffffff) usize = take();
        if (csize === 0xffffffff) csize = take();
        if (local === 0xffffffff) local = take();
      }
      x += 4 + sz;
    }
    if (flags & 1) throw fail(`member ${name} is encrypted.`);
    if (method !== 0 && method !== 8) throw fail(`member ${name} uses compression method ${method} (only stored and deflate are supported).`);
    checkRange(op, src, local, 30, `the local header of ${name}`);
    const lh = src.read(local, 30);
    if (u32(lh, 0) !== 0x04034b50) throw fail(`bad local header signature for ${name}.`);
    const dataOffset = local + 30 + u16(lh, 26) + u16(lh, 28);
    if (dataOffset + csize > src.size) throw fail(`member ${name} claims ${csize} bytes past the end of the file (truncated).`);
    if (method === 0 && csize !== usize) throw fail(`stored member ${name} has different sizes (${csize} vs ${usize}).`);
    out.push({ name, method, crc, csize, usize, dataOffset });
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

/** A member to write: its chunks are concatenated; `deflated` ones are already raw-deflate compressed. */
export interface ZipMember {
  name: string;
  chunks: Uint8Array[];
  /** Uncompressed CRC-32 and size. */
  crc: number;
  usize: number;
  /** Method 8 when the chunks hold deflated data. */
  deflated: boolean;
}

function le(n: number, v: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) { out.push(v % 256); v = Math.floor(v / 256); }
  return out;
}

/** The archive bytes as chunks (member data are not copied). `forceZip64` is for tests. */
export function writeZip(members: readonly ZipMember[], forceZip64 = false): Uint8Array[] {
  const enc = new TextEncoder();
  const out: Uint8Array[] = [];
  const central: number[] = [];
  let pos = 0;
  const BIG = 0xffffffff;
  for (const m of members) {
    const name = enc.encode(m.name);
    let csize = 0;
    for (const c of m.chunks) csize += c.byteLength;
    const z64 = forceZip64 || csize >= BIG || m.usize >= BIG || pos >= BIG;
    const flags = /[^\x20-\x7e]/.test(m.name) ? 0x800 : 0; // UTF-8 names
    const method = m.deflated ? 8 : 0, ver = z64 ? 45 : 20;
    // fixed DOS date 1980-01-01 so output is reproducible
    const common = [...le(2, ver), ...le(2, flags), ...le(2, method), ...le(2, 0), ...le(2, 0x21), ...le(4, m.crc),
      ...le(4, z64 ? BIG : csize), ...le(4, z64 ? BIG : m.usize), ...le(2, name.length)];
    const localExtra = z64 ? [...le(2, 1), ...le(2, 16), ...le(8, m.usize), ...le(8, csize)] : [];
    out.push(new Uint8Array([...le(4, 0x04034b50), ...common, ...le(2, localExtra.length)]), name, new Uint8Array(localExtra));
    const cExtra = z64 ? [...le(2, 1), ...le(2, 24), ...le(8, m.usize), ...le(8, csize), ...le(8, pos)] : [];
    central.push(...le(4, 0x02014b50), ...le(2, ver), ...common, ...le(2, cExtra.length), ...le(2, 0), ...le(2, 0),
      ...le(2, 0), ...le(4, 0), ...le(4, z64 ? BIG : pos), ...name, ...cExtra);
    out.push(...m.chunks);
    pos += 30 + name.length + localExtra.length + csize;
  }
  const cdOffset = pos, cdSize = central.length, n = members.length;
  out.push(new Uint8Array(central));
  const z64 = forceZip64 || n >= 0xffff || cdOffset >= BIG || cdSize >= BIG;
  if (z64) {
    const endPos = cdOffset + cdSize;
    out.push(new Uint8Array([...le(4, 0x06064b50), ...le(8, 44), ...le(2, 45), ...le(2, 45), ...le(4, 0), ...le(4, 0),
      ...le(8, n), ...le(8, n), ...le(8, cdSize), ...le(8, cdOffset)]));
    out.push(new Uint8Array([...le(4, 0x07064b50), ...le(4, 0), ...le(8, endPos), ...le(4, 1)]));
  }
  out.push(new Uint8Array([...le(4, 0x06054b50), ...le(2, 0), ...le(2, 0), ...le(2, z64 ? 0xffff : n),
    ...le(2, z64 ? 0xffff : n), ...le(4, z64 ? BIG : cdSize), ...le(4, z64 ? BIG : cdOffset), ...le(2, 0)]));
  return out;
}
