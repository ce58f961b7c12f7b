/**
 * @file Transform rules of the `conv` primitive. Both gradients are convolutions again (so every backend only needs
 * the forward kernel), written per spatial dimension with s = stride, kd = kernel dilation, id = input dilation,
 * lo/hi = padding, K = kernel extent, Kd = (K - 1) kd + 1, D = input extent, O = output extent. The forward reads
 * padded position `o s + k kd`, which is input element i when it equals `i id + lo`.
 */
import type { MxArray } from '../array.js';
import type { Stream } from '../device.js';
import type { ConvParams } from './conv.js';
import { convCore } from '../ops/conv.js';
import { add } from '../ops/binary.js';
import { reshapeTo, permute, moveaxis, broadcastTo } from '../ops/layout.js';
import { flip } from '../ops/layout-misc.js';

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/**
 * d/dx: dx[i] = sum over (o, k) with o s + k kd = i id + lo of ct[o] w[k]. That is a convolution of the cotangent
 * dilated by s, padded by Kd - 1 - lo in front, with the kernel flipped the other way, moving by id; its channel
 * roles swap, so the weight becomes [C_in, K..., C_out/G] (per group).
 */
function gradInput(x: MxArray, w: MxArray, ct: MxArray, p: ConvParams, s: Stream): MxArray {
  const nd = x.ndim - 2, G = p.groups, cin = x.shape[nd + 1]!, cout = w.shape[0]!;
  const ks = w.shape.slice(1, nd + 1);
  // [C_out, K..., C_in/G] -> [G, C_out/G, K..., C_in/G] -> [G, C_in/G, K..., C_out/G] -> [C_in, K..., C_out/G]
  const wg = reshapeTo(w, [G, cout / G, ...ks, cin / G], s);
  const wt = reshapeTo(permute(wg, [0, nd + 2, ...range(nd, 2), 1], s), [cin, ...ks, cout / G], s);
  const padLo: number[] = [], padHi: number[] = [];
  for (let d = 0; d < nd; d++) {
    const kd = (ks[d]! - 1) * p.kernelDilation[d]! + 1;
    const lo = kd - 1 - p.padLo[d]!;
    // the padded cotangent spans exactly (D - 1) id + Kd positions, so the output has D elements
    const ctSpan = (ct.shape[d + 1]! - 1) * p.stride[d]! + 1;
    padLo.push(lo);
    padHi.push((x.shape[d + 1]! - 1) * p.inputDilation[d]! + kd - lo - ctSpan);
  }
  return convCore(ct, wt, {
    stride: [...p.inputDilation], padLo, padHi, kernelDilation: [...p.kernelDilation], inputDilation: [...p.stride],
    groups: G, flip: !p.flip,
  }, s);
}

/**
 * d/dw: dw[c, k, ci] = sum over (n, o) of xpad[n, o s + k kd, ci] ct[n, o, c]. As a convolution: the batch N
 * becomes the contracted channel axis (per group: channels [G, N]), the input channels become the batch, and the
 * cotangent is the kernel, dilated by s; the output position is k, moving by kd.
 */
function gradWeight(x: MxArray, w: MxArray, ct: MxArray, p: ConvParams, s: Stream): MxArray {
  const nd = x.ndim - 2, G = p.groups, n = x.shape[0]!, cin = x.shape[nd + 1]!, cout = w.shape[0]!;
  const ds = x.shape.slice(1, nd + 1), ks = w.shape.slice(1, nd + 1), os = ct.shape.slice(1, nd + 1);
  // x [N, D..., G, C_in/G] -> [C_in/G, D..., G, N]
  const xg = reshapeTo(x, [n, ...ds, G, cin / G], s);
  const xt = reshapeTo(permute(xg, [nd + 2, ...range(nd, 1), nd + 1, 0], s), [cin / G, ...ds, G * n], s);
  // ct [N, O..., C_out] -> [C_out, O..., N]
  const ctT = permute(ct, [nd + 1, ...range(nd, 1), 0], s);
  const padHi: number[] = [];
  for (let d = 0; d < nd; d++) {
    const span = (ks[d]! - 1) * p.kernelDilation[d]! + (os[d]! - 1) * p.stride[d]! + 1;
    padHi.push(span - p.padLo[d]! - ((ds[d]! - 1) * p.inputDilation[d]! + 1));
  }
  const z = convCore(xt, ctT, {
    stride: [...p.kernelDilation], padLo: [...p.padLo], padHi, kernelDilation: [...p.stride],
    inputDilation: [...p.inputDilation], groups: G, flip: false,
  }, s);
  // z [C_in/G, K..., C_out] -> [C_out, K..., C_in/G]; a flipped forward read w at K - 1 - k
  const dw = permute(z, [nd + 1, ...range(nd, 1), 0], s);
  return p.flip ? flip(dw, range(nd, 1), { stream: s }) : dw;
}

/** Reverse mode: both gradients are convolutions (see gradInput / gradWeight). */
export function convVjp([x, w]: MxArray[], [ct]: MxArray[], _o: MxArray[], p: ConvParams, s: Stream): (MxArray | null)[] {
  return [gradInput(x!, w!, ct!, p, s), gradWeight(x!, w!, ct!, p, s)];
}

/** Forward mode: the convolution is bilinear, d conv(x, w) = conv(dx, w) + conv(x, dw). */
export function convJvp([x, w]: MxArray[], [tx, tw]: (MxArray | null)[], _o: MxArray[], p: ConvParams, s: Stream): MxArray[] {
  const a = tx ? convCore(tx, w!, p, s) : null;
  const b = tw ? convCore(x!, tw, p, s) : null;
  return [a && b ? add(a, b, { stream: s }) : (a ?? b)!];
}

/**
 * Batching. A batched input only: fold the batch into N. A batched weight: the B weights become B * G groups over
 * an input whose channels are [B, C_in] (the input broadcast along B when it is not batched), so the whole batch
 * is one convolution; the output channels come out as [B, C_out].
 */
export function convVmap([x, w]: MxArray[], [ax, aw]: (number | null)[], p: ConvParams, s: Stream): [MxArray[], (number | null)[]] {
  const nd = w!.ndim - 2 - (aw === null ? 0 : 1);
  if (aw === null) {
    const xb = moveaxis(x!, ax!, 0, { stream: s });
    const B = xb.shape[0]!, n = xb.shape[1]!;
    const y = convCore(reshapeTo(xb, [B * n, ...xb.shape.slice(2)], s), w!, p, s);
    return [[reshapeTo(y, [B, n, ...y.shape.slice(1)], s)], [0]];
  }
  const wb = moveaxis(w!, aw, 0, { stream: s });
  const B = wb.shape[0]!, cout = wb.shape[1]!;
  let xb: MxArray;
  if (ax === null) xb = broadcastTo(x!, [B, ...x!.shape], { stream: s });
  else xb = moveaxis(x!, ax, 0, { stream: s });
  const cin = xb.shape[nd + 2]!;
  // [B, N, D..., C_in] -> [N, D..., B, C_in] -> [N, D..., B * C_in]
  const xc = moveaxis(xb, 0, nd + 1, { stream: s });
  const xf = reshapeTo(xc, [...xc.shape.slice(0, nd + 1), B * cin], s);
  const wf = reshapeTo(wb, [B * cout, ...wb.shape.slice(2)], s);
  const y = convCore(xf, wf, { ...p, groups: p.groups * B }, s);
  return [[reshapeTo(y, [...y.shape.slice(0, nd + 1), B, cout], s)], [nd + 1]];
}
