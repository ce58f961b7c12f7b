/**
 * @file GGML block-quantized tensor types. Q4_0, Q4_1, Q8_0 and Q4_K become MLX's affine quantized layout (as
 * `mx.load` does in MLX): a packed uint32 weight (4-bit: 8 values per word, first value in the low nibble; 8-bit:
 * 4 values per word, first in the low byte) plus float16 `scales` and `biases` per group of 32, so that
 * `w = scale * q + bias`. Q5_0, Q5_1, Q8_1, Q5_K and Q6_K are dequantized to float16. The IQ* types fail clearly.
 */
import { halfToFloat, floatToHalf } from '../core/half.js';

/** GGML tensor type ids (ggml.h). */
export const GGML_TYPE_NAMES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 6: 'Q5_0', 7: 'Q5_1', 8: 'Q8_0', 9: 'Q8_1', 10: 'Q2_K', 11: 'Q3_K',
  12: 'Q4_K', 13: 'Q5_K', 14: 'Q6_K', 15: 'Q8_K', 16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS', 19: 'IQ1_S',
  20: 'IQ4_NL', 21: 'IQ3_S', 22: 'IQ2_S', 23: 'IQ4_XS', 24: 'I8', 25: 'I16', 26: 'I32', 27: 'I64', 28: 'F64',
  29: 'IQ1_M', 30: 'BF16', 34: 'TQ1_0', 35: 'TQ2_0', 39: 'MXFP4',
};

/** Block size (values) and bytes per block of each quantized type we decode. */
export const QUANT_BLOCKS: Record<string, { block: number; bytes: number }> = {
  Q4_0: { block: 32, bytes: 18 }, Q4_1: { block: 32, bytes: 20 }, Q5_0: { block: 32, bytes: 22 },
  Q5_1: { block: 32, bytes: 24 }, Q8_0: { block: 32, bytes: 34 }, Q8_1: { block: 32, bytes: 36 },
  Q4_K: { block: 256, bytes: 144 }, Q5_K: { block: 256, bytes: 176 }, Q6_K: { block: 256, bytes: 210 },
};

/** Types returned in MLX's affine layout, with their bit width. */
export const AFFINE_BITS: Record<string, number> = { Q4_0: 4, Q4_1: 4, Q4_K: 4, Q8_0: 8 };

const f16 = (b: Uint8Array, o: number): number => halfToFloat(b[o]! | (b[o + 1]! << 8));
const f16bits = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);

/** Packs 32 4-bit codes `q[0..31]` into 4 words at `w[wo..]`, first code in the low nibble. */
function pack4(q: Uint8Array, w: Uint32Array, wo: number): void {
  for (let k = 0; k < 4; k++) {
    let v = 0;
    for (let j = 7; j >= 0; j--) v = (v << 4) | q[8 * k + j]!;
    w[wo + k] = v >>> 0;
  }
}

/**
 * Decodes `nbytes` of blocks into MLX's affine layout: `w` gets bits/32 words per value, `s` and `b` one float16
 * per 32 values.
 */
export function decodeAffine(type: string, src: Uint8Array, w: Uint32Array, s: Uint16Array, b: Uint16Array): void {
  const q = new Uint8Array(32);
  const { bytes } = QUANT_BLOCKS[type]!;
  const nblocks = src.length / bytes;
  for (let i = 0; i < nblocks; i++) {
    const o = i * bytes;
    switch (type) {
      case 'Q4_0': case 'Q4_1': {
        const qs = o + (type === 'Q4_0' ? 2 : 4);
        for (let j = 0; j < 16; j++) { q[j] = src[qs + j]! & 15; q[j + 16] = src[qs + j]! >> 4; }
        pack4(q, w, 4 * i);
        s[i] = f16bits(src, o);
        b[i] = type === 'Q4_0' ? floatToHalf(-8 * f16(src, o)) : f16bits(src, o + 2);
        break;
      }
      case 'Q8_0': {
        // int8 code c is stored as the uint8 c + 128 (flip the sign bit), with the bias -128 * d
        for (let k = 0; k < 8; k++) {
          const p = o + 2 + 4 * k;
          w[8 * i + k] = ((src[p]! ^ 0x80) | ((src[p + 1]! ^ 0x80) << 8) | ((src[p + 2]! ^ 0x80) << 16) |
            ((src[p + 3]! ^ 0x80) << 24)) >>> 0;
        }
        s[i] = f16bits(src, o);
        b[i] = floatToHalf(-128 * f16(src, o));
        break;
      }
      case 'Q4_K': {
        // one super-block = 8 groups of 32, each with 6-bit scale and min codes under two float16 super-scales
        const d = f16(src, o), dmin = f16(src, o + 2), sc = o + 4, qs = o + 16;
        for (let g = 0; g < 8; g++) {
          const [scale, min] = scaleMinK4(src, sc, g);
          s[8 * i + g] = floatToHalf(d * scale);
          b[8 * i + g] = floatToHalf(-dmin * min);
          // groups 2c and 2c+1 share 32 bytes: low nibbles then high nibbles
          const base = qs + 32 * (g >> 1), hi = g & 1;
          for (let l = 0; l < 32; l++) q[l] = hi ? src[base + l]! >> 4 : src[base + l]! & 15;
          pack4(q, w, 4 * (8 * i + g));
        }
        break;
      }
      default: throw new Error(`[load] GGUF type ${type} has no affine layout.`);
    }
  }
}

/** The 6-bit (scale, min) codes of group `j` of a Q4_K/Q5_K super-block (12 packed bytes at `p`). */
function scaleMinK4(b: Uint8Array, p: number, j: number): [number, number] {
  if (j < 4) return [b[p + j]! & 63, b[p + j + 4]! & 63];
  return [(b[p + j + 4]! & 15) | ((b[p + j - 4]! >> 6) << 4), (b[p + j + 4]! >> 4) | ((b[p + j]! >> 6) << 4)];
}

/** Dequantizes `src` blocks into float16 bits. */
export function decodeToHalf(type: string, src: Uint8Array, out: Uint16Array): void {
  const { bytes, block } = QUANT_BLOCKS[type]!;
  const nblocks = src.length / bytes;
  const v = new Float32Array(block);
  for (let i = 0; i < nblocks; i++) {
    const o = i * bytes;
    switch (type) {
      case 'Q5_0': case 'Q5_1': {
        const d = f16(src, o), m = type === 'Q5_1' ? f16(src, o + 2) : 0;
        const qhOff = o + (type === 'Q5_1' ? 4 : 2), qs = qhOff + 4;
        const qh = (src[qhOff]! | (src[qhOff + 1]! << 8) | (src[qhOff + 2]! << 16) | (src[qhOff + 3]! << 24)) >>> 0;
        for (let j = 0; j < 16; j++) {
          const lo = (src[qs + j]! & 15) | (((qh >>> j) & 1) << 4);
          const hi = (src[qs + j]! >> 4) | (((qh >>> (j + 16)) & 1) << 4);
          if (type === 'Q5_0') { v[j] = d * (lo - 16); v[j + 16] = d * (hi - 16); }
          else { v[j] = d * lo + m; v[j + 16] = d * hi + m; }
        }
        break;
      }
      case 'Q8_1': {
        const d = f16(src, o);
        for (let j = 0; j < 32; j++) v[j] = d * ((src[o + 4 + j]! << 24) >> 24);
        break;
      }
      case 'Q5_K': {
        const d = f16(src, o), dmin = f16(src, o + 2), sc = o + 4, qh = o + 16, qs = o + 48;
        for (let g = 0; g < 8; g++) {
          const [scale, min] = scaleMinK4(src, sc, g);
          const base = qs + 32 * (g >> 1), hi = g & 1;
          for (let l = 0; l < 32; l++) {
            const low = hi ? src[base + l]! >> 4 : src[base + l]! & 15;
            const h = (src[qh + l]! >> g) & 1;
            v[32 * g + l] = d * scale * (low | (h << 4)) - dmin * min;
          }
        }
        break;
      }
      case 'Q6_K': {
        // ql[128], qh[64], int8 scales[16], f16 d; two halves of 128 values
        const ql0 = o, qh0 = o + 128, sc0 = o + 192, d = f16(src, o + 208);
        for (let h = 0; h < 2; h++) {
          const ql = ql0 + 64 * h, qh = qh0 + 32 * h, sc = sc0 + 8 * h, y = 128 * h;
          for (let l = 0; l < 32; l++) {
            const is = l >> 4;
            const q1 = ((src[ql + l]! & 15) | (((src[qh + l]! >> 0) & 3) << 4)) - 32;
            const q2 = ((src[ql + l + 32]! & 15) | (((src[qh + l]! >> 2) & 3) << 4)) - 32;
            const q3 = ((src[ql + l]! >> 4) | (((src[qh + l]! >> 4) & 3) << 4)) - 32;
            const q4 = ((src[ql + l + 32]! >> 4) | (((src[qh + l]! >> 6) & 3) << 4)) - 32;
            const s8 = (k: number): number => (src[sc + k]! << 24) >> 24;
            v[y + l] = d * s8(is) * q1;
            v[y + l + 32] = d * s8(is + 2) * q2;
            v[y + l + 64] = d * s8(is + 4) * q3;
            v[y + l + 96] = d * s8(is + 6) * q4;
          }
        }
        break;
      }
      default: throw new Error(`[load] GGUF type ${type} cannot be decoded.`);
    }
    for (let k = 0; k < block; k++) out[i * block + k] = floatToHalf(v[k]!);
  }
}
