/**
 * @file The GPU `pad` kernel: output-centric, so every output word is written by one invocation. Per dim, the output
 * index minus the low pad is mapped back into the input by the mode (constant: outside reads the constant input;
 * edge: clamp; reflect: mirror without repeating the edge, period 2(n-1); symmetric: mirror repeating it, period 2n),
 * the same maps as the CPU kernel.
 */
import type { PadMode } from '../../../core/primitives/layout.js';
import { computeType, convert } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { allGpu, gatherLaunch } from './layout-shader.js';

/** WGSL mapping `j` (an input index, possibly outside [0, n)) into the input for a non-constant mode. */
function wrap(mode: PadMode): string {
  if (mode === 'edge') return 'j = clamp(j, 0, n - 1);';
  if (mode === 'reflect') return 'if (n == 1) { j = 0; } else { let per = 2 * (n - 1); j = ((j % per) + per) % per; if (j >= n) { j = per - j; } }';
  return 'let per = 2 * n; j = ((j % per) + per) % per; if (j >= n) { j = per - 1 - j; }';
}

export const pad: GpuKernel = {
  ok: (node) => allGpu(node.inputs) && allGpu(node.outputs),
  run: (node, be) => {
    const [x, c] = node.inputs, out = node.outputs[0]!;
    const p = node.params as { lo: readonly number[]; hi: readonly number[]; mode: PadMode };
    const a = be.arg(x!), ca = be.arg(c!), nd = out.shape.length;
    const t = computeType(a.dtype)!, to = computeType(out.dtype)!;
    const extra = [a.offset, ca.offset];
    for (let d = 0; d < nd; d++) extra.push(p.lo[d]!, a.shape[d]!, a.strides[d]!);
    return [gatherLaunch(be, [a, ca], out.dtype, out.shape, extra, (P) => {
      const lines = [`var o = prm[${P}]; var inside = true;`];
      for (let d = 0; d < nd; d++) {
        const at = P + 2 + 3 * d;
        const fix = p.mode === 'constant' ? 'inside = false;' : wrap(p.mode);
        lines.push(`{ let n = prm[${at + 1}]; var j = idx[${d}] - prm[${at}]; if (j < 0 || j >= n) { ${fix} } o += j * prm[${at + 2}]; }`);
      }
      lines.push(`if (inside) { v = ${convert('ld0(o)', t, to)}; } else { v = ${convert(`ld1(prm[${P + 1}])`, computeType(ca.dtype)!, to)}; }`);
      return lines.join('\n    ');
    })];
  },
};
