/**
 * @file I/O primitives: lazy reads of tensor bytes from a file or memory. `load` (readers build it while parsing a
 * header) produces nothing until evaluated; its CPU kernel then reads the byte range straight into the output's
 * typed array. `loadQuantized` decodes GGML blocks into MLX's affine layout (3 outputs) or into float16.
 */
import type { Dtype } from '../dtype.js';
import { float16, uint32 } from '../dtype.js';
import { definePrimitives, single } from '../primitive.js';
import { bind, type MxArray } from '../array.js';
import type { Stream } from '../device.js';
import type { ByteSource } from '../../io/source.js';

declare module '../primitive.js' {
  interface PrimitiveParams {
    /** Reads `shape`·`dtype` bytes at `offset` of `src`. */
    load: {
      src: ByteSource;
      offset: number;
      shape: number[];
      dtype: Dtype;
      /** Byte width of the words to reverse (big-endian data), 0 for none. */
      swap: number;
      /** Data is stored column-major (npy `fortran_order`): the output is a column-major view, no copy. */
      fortran: boolean;
      /** Runs on the raw bytes before they are used (a zip member's CRC check). */
      verify?: (bytes: Uint8Array) => void;
    };
    /** Decodes GGML quantized blocks: `affine` gives (uint32 weight, float16 scales, float16 biases). */
    loadQuantized: {
      src: ByteSource;
      offset: number;
      nbytes: number;
      /** GGML type name, e.g. "Q4_0". */
      type: string;
      /** Logical (dequantized) shape, MLX order. */
      shape: number[];
      mode: 'affine' | 'float16';
      bits: number;
    };
  }
}

/**
 * Transform rules of a read: it has no inputs, so no cotangents flow from it and its tangents are zero; vmap never
 * reaches it (nothing it reads is mapped), and says so if called.
 */
function readRules(name: string) {
  return {
    vjp(): (MxArray | null)[] { return []; },
    jvp(_x: MxArray[], _t: (MxArray | null)[], outs: MxArray[], _p: unknown, stream: Stream): MxArray[] {
      return outs.map((o) => bind('full', [], { shape: o.shape, dtype: o.dtype, value: 0 }, stream));
    },
    vmap(): [MxArray[], (number | null)[]] {
      throw new Error(`[vmap] The ${name} primitive has no inputs to map over.`);
    },
  };
}

definePrimitives({
  load: { outputs: (_x, p) => single(p.shape, p.dtype), ...readRules('load') },
  loadQuantized: {
    outputs: (_x, p) => {
      if (p.mode === 'float16') return single(p.shape, float16);
      const last = p.shape[p.shape.length - 1]!;
      const w = [...p.shape.slice(0, -1), (last * p.bits) / 32];
      const g = [...p.shape.slice(0, -1), last / 32];
      return [{ shape: w, dtype: uint32 }, { shape: g, dtype: float16 }, { shape: g, dtype: float16 }];
    },
    ...readRules('loadQuantized'),
  },
});
