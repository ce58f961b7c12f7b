/**
 * @file The GPU `dynamicSliceUpdate` kernel: output-centric (each output word has one writer), every element reads
 * either the update (inside the window) or the input. The window start is read from the start array on the GPU and
 * wrapped once when negative, then clamped so the window fits, as the CPU kernel does.
 */
import { computeType, convert } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { allGpu, dot, gatherLaunch, toI32 } from './layout-shader.js';

export const dynamicSliceUpdate: GpuKernel = {
  ok: (node) => allGpu(node.inputs),
  run: (node, be) => {
    const [x, u, s] = node.inputs, out = node.outputs[0]!;
    const { axes } = node.params as { axes: readonly number[] };
    const a = be.arg(x!), ua = be.arg(u!), g = be.arg(s!), nd = out.shape.length;
    // the update's shape and strides, left-padded with size-1 dims to the input's rank
    const k = nd - ua.shape.length;
    const ushape = out.shape.map((_, d) => (d < k ? 1 : ua.shape[d - k]!));
    const ustr = out.shape.map((_, d) => (d < k ? 0 : ua.strides[d - k]!));
    const step = g.shape.length && g.shape[0]! > 1 ? g.strides[0]! : 0;
    const extra = [a.offset, ua.offset, g.offset, step, ...a.strides, ...ushape, ...ustr];
    const t = computeType(a.dtype)!, tu = computeType(ua.dtype)!, to = computeType(out.dtype)!;
    return [gatherLaunch(be, [a, ua, g], out.dtype, out.shape, extra, (P) => {
      const sh = P + 4 + nd, us = sh + nd;
      const lines = ['var win = true;', 'var uo = prm[' + (P + 1) + '];'];
      const startOf = new Map<number, number>();
      axes.forEach((ax, i) => startOf.set(ax, i));
      for (let d = 0; d < nd; d++) {
        const i = startOf.get(d);
        let st = '0';
        if (i !== undefined) {
          lines.push(`var s${d} = ${toI32(`ld2(prm[${P + 2}] + ${i} * prm[${P + 3}])`, g.dtype)};`
            + ` if (s${d} < 0) { s${d} += prm[${1 + d}]; } if (s${d} < 0) { s${d} = 0; }`
            + ` s${d} = min(s${d}, prm[${1 + d}] - prm[${sh + d}]);`);
          st = `s${d}`;
        }
        lines.push(`{ let r = idx[${d}] - ${st}; if (r < 0 || r >= prm[${sh + d}]) { win = false; } uo += r * prm[${us + d}]; }`);
      }
      lines.push(`if (win) { v = ${convert('ld1(uo)', tu, to)}; } else { v = ${convert(`ld0(prm[${P}] + ${dot(nd, P + 4)})`, t, to)}; }`);
      return lines.join('\n    ');
    })];
  },
};
