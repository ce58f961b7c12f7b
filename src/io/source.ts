/**
 * @file Byte sources the format readers parse: a file (read on demand, see node.ts) or bytes in memory (browsers,
 * tests, decompressed zip members). Readers only ever ask for byte ranges they have checked against `size`, so a
 * header that claims more than the file holds fails before anything is allocated.
 */

/** A random-access, read-only run of bytes. */
export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /** Names the source in error messages (a path, or "<bytes>"). */
  readonly label: string;
  /** `length` bytes from `offset`: a fresh copy or a view of memory the caller must not modify. */
  read(offset: number, length: number): Uint8Array;
  /** Fills `dst` with the bytes starting at `offset` (straight into the caller's buffer: no extra copy). */
  readInto(dst: Uint8Array, offset: number): void;
}

/** The error every reader throws for a malformed file: `[op] <label>: <problem>`. */
export function formatError(op: string, src: { label: string }, msg: string): Error {
  return new Error(`[${op}] ${src.label}: ${msg}`);
}

/** Throws unless `[offset, offset + length)` lies inside the source. */
export function checkRange(op: string, src: ByteSource, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 ||
      offset + length > src.size) {
    throw formatError(op, src,
      `file is truncated or corrupt: ${what} needs bytes [${offset}, ${offset + length}) but the file has ${src.size}.`);
  }
}

/** Bytes held in memory. */
export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(readonly bytes: Uint8Array, readonly label = '<bytes>') {
    this.size = bytes.byteLength;
  }
  read(offset: number, length: number): Uint8Array {
    checkRange('load', this, offset, length, 'a read');
    return this.bytes.subarray(offset, offset + length);
  }
  readInto(dst: Uint8Array, offset: number): void {
    checkRange('load', this, offset, dst.byteLength, 'a read');
    dst.set(this.bytes.subarray(offset, offset + dst.byteLength));
  }
}

/** A window `[start, start + size)` of another source (a stored zip member, say). */
export class SubSource implements ByteSource {
  constructor(readonly parent: ByteSource, readonly start: number, readonly size: number, readonly label: string) {}
  read(offset: number, length: number): Uint8Array {
    checkRange('load', this, offset, length, 'a read');
    return this.parent.read(this.start + offset, length);
  }
  readInto(dst: Uint8Array, offset: number): void {
    checkRange('load', this, offset, dst.byteLength, 'a read');
    this.parent.readInto(dst, this.start + offset);
  }
}

/** Where `save*` writes: a path, or any object with a `write(bytes)` method (a collector in browsers). */
export interface ByteSink {
  write(chunk: Uint8Array): unknown;
}

/**
 * Collects what a `save*` function writes, in memory (the browser-friendly output).
 *
 * @example
 * ```ts
 * const sink = new mx.BytesSink();
 * await mx.saveSafetensors(sink, { w });
 * const bytes = sink.bytes(); // a Uint8Array; mx.load(bytes) reads it back
 * ```
 */
export class BytesSink implements ByteSink {
  readonly chunks: Uint8Array[] = [];
  write(chunk: Uint8Array): void { this.chunks.push(chunk.slice()); }
  /** Everything written so far, as one array. */
  bytes(): Uint8Array { return concatBytes(this.chunks); }
}

/** Joins byte chunks into one array. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.byteLength; }
  return out;
}

/** Raw bytes of a typed array (a view, no copy). */
export function asBytes(t: ArrayBufferView): Uint8Array {
  return new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Decodes UTF-8, throwing a format error on invalid bytes. */
export function decodeUtf8(op: string, src: { label: string }, b: Uint8Array, what: string): string {
  try {
    return utf8.decode(b);
  } catch {
    throw formatError(op, src, `${what} is not valid UTF-8.`);
  }
}

/** Reverses the bytes of each `width`-byte word in place (big-endian files). */
export function swapBytes(b: Uint8Array, width: number): void {
  if (width <= 1) return;
  for (let i = 0; i + width <= b.length; i += width) {
    for (let a = i, z = i + width - 1; a < z; a++, z--) {
      const t = b[a]!; b[a] = b[z]!; b[z] = t;
    }
  }
}
