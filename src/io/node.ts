/**
 * @file The only place that touches Node's `fs` and `zlib`. They are imported dynamically on first use, so the I/O
 * code also runs in browsers on in-memory bytes; there, a path argument fails with a clear error.
 *
 * A file source keeps only the path and its size. Each lazy read opens the file, `readSync`s the byte range straight
 * into the destination typed array and closes it again, so no descriptor outlives a read and nothing is copied
 * twice. The file must not change between `load` and evaluation (as in MLX).
 */
import { formatError, type ByteSource, type ByteSink } from './source.js';

type Fs = typeof import('node:fs');
type Zlib = typeof import('node:zlib');

let fsMod: Fs | null = null;
let zlibMod: Zlib | null = null;

async function nodeFs(op: string): Promise<Fs> {
  if (fsMod) return fsMod;
  try {
    fsMod = await import('node:fs');
  } catch {
    throw new Error(`[${op}] File paths need Node's fs module; in a browser pass the bytes (a Uint8Array) instead.`);
  }
  return fsMod;
}

/** Loads node:zlib (raw deflate for .npz) once; later calls of `zlib()` are synchronous. */
export async function loadZlib(op: string): Promise<Zlib> {
  if (zlibMod) return zlibMod;
  try {
    zlibMod = await import('node:zlib');
  } catch {
    throw new Error(`[${op}] Compressed .npz members need Node's zlib module, which is not available here.`);
  }
  return zlibMod;
}

/** node:zlib once `loadZlib` has resolved. */
export function zlib(): Zlib {
  if (!zlibMod) throw new Error('[io] zlib used before loadZlib().');
  return zlibMod;
}

class FileSource implements ByteSource {
  constructor(private readonly fs: Fs, readonly label: string, readonly size: number) {}

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(out, offset);
    return out;
  }

  readInto(dst: Uint8Array, offset: number): void {
    if (offset < 0 || offset + dst.byteLength > this.size) {
      throw formatError('load', this, `read of bytes [${offset}, ${offset + dst.byteLength}) past the end (${this.size}).`);
    }
    if (dst.byteLength === 0) return;
    const fd = this.fs.openSync(this.label, 'r');
    try {
      let done = 0;
      while (done < dst.byteLength) {
        // readSync takes at most 2 GiB per call
        const n = this.fs.readSync(fd, dst, done, Math.min(dst.byteLength - done, 0x40000000), offset + done);
        if (n <= 0) throw formatError('load', this, `file shrank after it was opened (short read at byte ${offset + done}).`);
        done += n;
      }
    } finally {
      this.fs.closeSync(fd);
    }
  }
}

/** Opens a file for lazy reading (checks that it exists and is a regular file). */
export async function openFile(path: string, op: string): Promise<ByteSource> {
  const fs = await nodeFs(op);
  let st;
  try {
    st = fs.statSync(path);
  } catch (e) {
    throw new Error(`[${op}] Failed to open ${path}: ${(e as Error).message}`);
  }
  if (!st.isFile()) throw new Error(`[${op}] ${path} is not a regular file.`);
  return new FileSource(fs, path, st.size);
}

/** Whether a path is a directory (false when it does not exist). */
export async function isDirectory(path: string, op: string): Promise<boolean> {
  const fs = await nodeFs(op);
  try { return fs.statSync(path).isDirectory(); } catch { return false; }
}

/** Whether a path exists. */
export async function exists(path: string, op: string): Promise<boolean> {
  const fs = await nodeFs(op);
  return fs.existsSync(path);
}

/** Writes chunks to a path (created or truncated) without joining them in memory first. */
export async function writeFile(path: string, chunks: readonly Uint8Array[], op: string): Promise<void> {
  const fs = await nodeFs(op);
  let fd: number;
  try {
    fd = fs.openSync(path, 'w');
  } catch (e) {
    throw new Error(`[${op}] Failed to open ${path} for writing: ${(e as Error).message}`);
  }
  try {
    for (const c of chunks) {
      let done = 0;
      while (done < c.byteLength) done += fs.writeSync(fd, c, done, c.byteLength - done);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Sends chunks to a path or a sink. */
export async function emit(file: string | ByteSink, chunks: readonly Uint8Array[], op: string): Promise<void> {
  if (typeof file === 'string') return writeFile(file, chunks, op);
  for (const c of chunks) await file.write(c);
}

/** Joins path parts with '/' (enough for index files next to their shards). */
export function joinPath(dir: string, name: string): string {
  if (name.startsWith('/')) return name;
  return dir.endsWith('/') || dir === '' ? dir + name : `${dir}/${name}`;
}

/** The directory part of a path ('.' when none). */
export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : path.slice(0, i);
}
