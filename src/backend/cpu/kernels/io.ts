/**
 * @file CPU kernels of the io family. `load` allocates the output once and has the source fill its bytes in place
 * (a file source `readSync`s straight into it), so a tensor costs exactly one allocation and no extra copy.
 */
import type { CpuKernelTable } from '../kernel.js';
import type { CpuView } from '../view.js';
import { isRowContiguous } from '../view.js';
import { swapBytes, asBytes } from '../../../io/source.js';
import { decodeAffine, decodeToHalf } from '../../../io/gguf-quant.js';

function colMajorStrides(shape: readonly number[]): number[] {
  const s: number[] = [];
  let acc = 1;
  for (let i = 0; i < shape.length; i++) { s.push(acc); acc *= shape[i]!; }
  return s;
}

export const ioKernels: CpuKernelTable<'load' | 'loadQuantized'> = {
  load: (_in, p, _outs, be) => {
    const out = be.alloc(p.dtype, p.shape);
    const bytes = asBytes(out.buf);
    p.src.readInto(bytes, p.offset);
    if (p.verify) p.verify(bytes);
    if (p.swap > 1) swapBytes(bytes, p.swap);
    if (!p.fortran) return [out];
    const strides = colMajorStrides(p.shape);
    const view: CpuView = { ...out, strides, contiguous: isRowContiguous(p.shape, strides) };
    return [view];
  },
  loadQuantized: (_in, p, outs, be) => {
    const raw = p.src.read(p.offset, p.nbytes);
    if (p.mode === 'float16') {
      const out = be.alloc(outs[0]!.dtype, outs[0]!.shape);
      decodeToHalf(p.type, raw, out.buf as Uint16Array);
      return [out];
    }
    const w = be.alloc(outs[0]!.dtype, outs[0]!.shape);
    const s = be.alloc(outs[1]!.dtype, outs[1]!.shape);
    const b = be.alloc(outs[2]!.dtype, outs[2]!.shape);
    decodeAffine(p.type, raw, w.buf as Uint32Array, s.buf as Uint16Array, b.buf as Uint16Array);
    return [w, s, b];
  },
};
