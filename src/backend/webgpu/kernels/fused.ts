/**
 * @file The GPU kernel of `fusedElementwise` (mx.compile's fused chains): one generated WGSL shader per chain.
 * Each invocation computes `L` consecutive output elements (L = elements per word of the narrowest output, so
 * every output is written in whole words and no two invocations share one), loads every input through its
 * broadcast strides, evaluates the chain's steps in order as WGSL locals with the same per-op expressions the
 * unfused elementwise kernels use (elementwise-defs.ts), and writes every output of the chain: one dispatch and one
 * pass over memory instead of one per op. Chains over dense 32-bit inputs and outputs (no broadcasting beyond
 * single elements) run the vec4 kernel of elementwise-fast.ts instead. A step whose dtype is narrower than its compute type (float16, bfloat16,
 * 8/16-bit integers) is rounded through its storage bits, as the unfused kernels round when they store it.
 * The kernel declines (the node then falls back visibly to the CPU kernel) on 64-bit or complex dtypes, on a step
 * without a WGSL expression, and when the chain needs more storage bindings than the device allows.
 */
import type { Dtype } from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import type { FusedParams } from '../../../core/primitives/compiled.js';
import { sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { WebGpuBackend } from '../backend.js';
import { gpuBackend } from '../index.js';
import { PRELUDE, computeType, lanes, loader, storeBits } from '../wgsl.js';
import { chainSteps } from './fused-steps.js';
import { fusedReduceKernel } from './fused-reduce.js';
import { fusedSoftmaxKernel } from './fused-softmax.js';
import { fusedNormKernel } from './fused-norm.js';
import type { GpuKernel } from './kernel.js';
import { BINARY_PRELUDE } from './elementwise-defs.js';
import { broadcastStrides, collapse } from './elementwise.js';
import { fastElementwiseFn } from './elementwise-fast.js';

const WG = 64;

/** WGSL of the chain over `nd` collapsed dimensions, or null when a step has no WGSL expression. */
function shader(p: FusedParams, nd: number): string | null {
  const body = chainSteps(p);
  if (!body) return null;
  const N = p.nIn, outs = p.outs.map((o) => p.ops[o]!.dtype);
  const L = Math.max(...outs.map(lanes));
  const lines: string[] = [PRELUDE, BINARY_PRELUDE];
  p.inDtypes.forEach((d, j) => {
    lines.push(`@group(0) @binding(${j}) var<storage, read> in${j}: array<u32>;`);
    lines.push(loader(`ld${j}`, `in${j}`, d));
  });
  outs.forEach((_, j) => lines.push(`@group(0) @binding(${N + j}) var<storage, read_write> out${j}: array<u32>;`));
  lines.push(`@group(0) @binding(${N + outs.length}) var<storage, read> prm: array<i32>;`);
  // meta: [n, shape[nd], (strides[nd], offset) per input], as the elementwise kernels lay it out
  const base = (j: number): number => 1 + nd + j * (nd + 1);
  const idx: string[] = [];
  for (let j = 0; j < N; j++) idx.push(`var o${j} = prm[${base(j) + nd}];`);
  for (let d = nd - 1; d >= 0; d--) {
    const i = d === 0 ? 'rem' : `rem % prm[${1 + d}]`;
    idx.push(`{ let i = ${i};${d ? ` rem = rem / prm[${1 + d}];` : ''}${p.inDtypes.map((_, j) => ` o${j} += i * prm[${base(j) + d}];`).join('')} }`);
  }
  // output j packs lanes(dj) elements per word, so one invocation fills L / lanes(dj) of its words
  const words = outs.map((d) => L / lanes(d));
  const decl = outs.map((_, j) => `var w${j}: array<u32, ${words[j]}>;`);
  const store = p.outs.map((o, j) => {
    const Lj = lanes(outs[j]!), bits = outs[j]!.size * 8;
    return `w${j}[k / ${Lj}] = w${j}[k / ${Lj}] | (${storeBits(`v${o}`, outs[j]!)} << (u32(k % ${Lj}) * ${bits}u));`;
  });
  const write = outs.map((d, j) => `for (var q = 0; q < ${words[j]}; q++) { if (word * ${L} + q * ${lanes(d)} < n) { out${j}[word * ${words[j]} + q] = w${j}[q]; } }`);
  lines.push(`@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let word = i32((wid.x + wid.y * nwg.x) * ${WG}u + lid);
  let n = prm[0];
  ${decl.join('\n  ')}
  for (var k = 0; k < ${L}; k++) {
    let e = word * ${L} + k;
    if (e >= n) { break; }
    var rem = e;
    ${idx.join('\n    ')}
    ${p.inDtypes.map((_, j) => `let x${j} = ld${j}(o${j});`).join(' ')}
    ${body.map((b, k) => `let v${k} = ${b};`).join('\n    ')}
    ${store.join('\n    ')}
  }
  ${write.join('\n  ')}
}`);
  return lines.join('\n');
}

const cache = new Map<string, string | null>();

/** The chain as `fn ew(x0, ...) -> EwOut` for the contiguous kernel of elementwise-fast.ts (null without WGSL). */
function chainFn(p: FusedParams): string | null {
  const k = `fn|${p.key}`;
  if (!cache.has(k)) {
    const body = chainSteps(p);
    const outT = p.outs.map((o) => computeType(p.ops[o]!.dtype)!);
    cache.set(k, body && `struct EwOut { ${outT.map((t, j) => `r${j}: ${t}`).join(', ')} }
fn ew(${p.inDtypes.map((d, j) => `x${j}: ${computeType(d)}`).join(', ')}) -> EwOut {
  ${body.map((b, j) => `let v${j} = ${b};`).join('\n  ')}
  return EwOut(${p.outs.map((o) => `v${o}`).join(', ')});
}`);
  }
  return cache.get(k)!;
}

/** The chain's shader for `nd` collapsed dimensions, cached by the chain's canonical key. */
function source(p: FusedParams, nd: number): string | null {
  const k = `${nd}|${p.key}`;
  if (!cache.has(k)) cache.set(k, shader(p, nd));
  return cache.get(k)!;
}

function supported(node: Node): boolean {
  const p = node.params as FusedParams;
  const dtypes = [...p.inDtypes, ...p.ops.map((o) => o.dtype), ...p.lits.map((l) => l.dtype)];
  if (dtypes.some((d) => !computeType(d))) return false;
  const limit = gpuBackend()?.device.limits.maxStorageBuffersPerShaderStage ?? 8;
  if (p.nIn + p.outs.length + 1 > limit) return false;
  // the code does not depend on the rank for whether it exists, so rank 1 decides
  return source(p, 1) !== null;
}

/**
 * `fusedElementwise` on the GPU: one generated shader and one dispatch per fused chain; `fusedReduce` (the chain
 * with a reduction epilogue) in fused-reduce.ts, `fusedSoftmax` in fused-softmax.ts, `fusedNorm` in fused-norm.ts.
 */
export const fusedKernels: Record<string, GpuKernel> = {
  fusedReduce: fusedReduceKernel,
  fusedSoftmax: fusedSoftmaxKernel,
  fusedNorm: fusedNormKernel,
  fusedElementwise: {
    ok: supported,
    run: (node, be: WebGpuBackend): ArrayData[] => {
      const p = node.params as FusedParams;
      const shape = node.outputs[0]!.shape;
      const os = node.outputs.map((o) => be.output(o.dtype, o.shape));
      const n = sizeOf(shape);
      if (n === 0) return os.map((o) => o.data);
      const ins = node.inputs.map((x) => be.arg(x));
      const fn = chainFn(p);
      const fast = fn && fastElementwiseFn(be, ins, node.outputs.map((o) => o.dtype), shape, fn, os);
      if (fast) return fast;
      const [sh, st] = collapse(shape, ins.map((x) => broadcastStrides(x, shape)));
      const meta: number[] = [n, ...sh];
      ins.forEach((x, j) => meta.push(...st[j]!, x.offset));
      const code = source(p, sh.length)!;
      const L = Math.max(...node.outputs.map((o) => lanes(o.dtype)));
      be.dispatch(code, [...ins.map((x) => x.buf), ...os.map((o) => o.arg.buf), be.params(meta)], Math.ceil(Math.ceil(n / L) / WG));
      return os.map((o) => o.data);
    },
  },
};
