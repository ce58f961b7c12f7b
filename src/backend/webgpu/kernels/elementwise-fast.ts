/**
 * @file The contiguous elementwise kernel: every input dense and row-major (or one broadcast element), every dtype
 * 32-bit. Each invocation handles `ewVec` vec4 of the output, `ewWg` apart so a workgroup's loads and stores stay
 * coalesced: one 16-byte load per input and one 16-byte store per output and vec4, no index arithmetic beyond an
 * add. An input whose offset is not a multiple of 4 elements is read as four words instead (still contiguous).
 * The last vec4 of an output may cover up to 3 elements past its end: they lie in the output's own buffer (size
 * classes are multiples of 16 bytes) and nothing reads them.
 */
import type { Dtype } from '../../../core/dtype.js';
import { sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import type { PooledBuffer } from '../allocator.js';
import { PRELUDE, computeType, storeBits } from '../wgsl.js';
import { BINARY_PRELUDE } from './elementwise-defs.js';
import { wordAs } from './reduce-fast.js';
import { reduceTuning } from './reduce-tuning.js';

/** How an input is read: whole vec4s, four words from an unaligned offset, or one broadcast element. */
type Access = 'vec' | 'words' | 'scalar';

/** Generated sources: by launch parameters (the tuning object), `ew` function, then dtypes and access modes. */
const shaders = new WeakMap<object, Map<string, Map<number | string, string>>>();

/** Launches made through this kernel (tests check that a path really ran). */
export const fastElementwiseStats = { launches: 0 };

function access(x: GpuArg, n: number): Access | null {
  if (x.dtype.size !== 4 || !computeType(x.dtype)) return null;
  const size = sizeOf(x.shape);
  if (size === 1) return 'scalar';
  if (size !== n) return null;
  // row-major dense, ignoring unit dims
  let expect = 1;
  for (let d = x.shape.length - 1; d >= 0; d--) {
    if (x.shape[d] === 1) continue;
    if (x.strides[d] !== expect) return null;
    expect *= x.shape[d]!;
  }
  return x.offset % 4 === 0 ? 'vec' : 'words';
}

/**
 * WGSL of the kernel. `fn` defines `fn ew(x0: T0, ...) -> EwOut` with `struct EwOut { r0: T, ... }` (compute types).
 * prm: [vec4 count, then per input its offset (in vec4 for 'vec', in elements otherwise)].
 */
function source(ins: readonly Dtype[], acc: readonly Access[], outs: readonly Dtype[], fn: string, wg: number, vec: number, stride: boolean): string {
  const N = ins.length;
  const lines = [PRELUDE, BINARY_PRELUDE, fn];
  ins.forEach((_, j) => lines.push(`@group(0) @binding(${j}) var<storage, read> in${j}: array<${acc[j] === 'vec' ? 'vec4<u32>' : 'u32'}>;`));
  outs.forEach((_, k) => lines.push(`@group(0) @binding(${N + k}) var<storage, read_write> out${k}: array<vec4<u32>>;`));
  lines.push(`@group(0) @binding(${N + outs.length}) var<storage, read> prm: array<u32>;`);
  // `q${k}`: the k-th vec4 of this invocation; loads named per k so a whole block can be loaded before any store
  const load = (j: number, k: string): string => {
    if (acc[j] === 'vec') return `let a${j}_${k} = in${j}[prm[${1 + j}] + q${k}];`;
    if (acc[j] === 'words') return `let e${j}_${k} = prm[${1 + j}] + q${k} * 4u; let a${j}_${k} = vec4<u32>(in${j}[e${j}_${k}], in${j}[e${j}_${k} + 1u], in${j}[e${j}_${k} + 2u], in${j}[e${j}_${k} + 3u]);`;
    return '';
  };
  const arg = (j: number, k: string, c: string): string => (acc[j] === 'scalar' ? `s${j}` : wordAs(`a${j}_${k}.${c}`, ins[j]!));
  const C4 = ['x', 'y', 'z', 'w'];
  const compute = (k: string): string => {
    const lanes = C4.map((c) => `let r${c}_${k} = ew(${ins.map((_, j) => arg(j, k, c)).join(', ')});`).join(' ');
    const stores = outs.map((d, o) => `out${o}[q${k}] = vec4<u32>(${C4.map((c) => storeBits(`r${c}_${k}.r${o}`, d)).join(', ')});`);
    return `${lanes} ${stores.join(' ')}`;
  };
  const loads = (k: string): string => ins.map((_, j) => load(j, k)).join(' ');
  const ks = Array.from({ length: vec }, (_, k) => String(k));
  const scalars = ins.map((d, j) => (acc[j] === 'scalar' ? `let s${j} = ${wordAs(`in${j}[prm[${1 + j}]]`, d)};` : '')).join(' ');
  // a whole block in range: every load first, then compute and store (the compiler cannot move loads past stores
  // to other bindings, which it must assume may alias)
  lines.push(`@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let nv = prm[0];
  ${scalars}
  // one block of ${wg * vec} vec4 per workgroup, or several when fewer workgroups are launched (grid stride)
  ${stride ? 'for (var blk = wid.x + wid.y * nwg.x; blk * ' + (wg * vec) + 'u < nv; blk += nwg.x * nwg.y) {'
    : 'let blk = wid.x + wid.y * nwg.x; if (blk * ' + (wg * vec) + 'u < nv) {'}
  let first = blk * ${wg * vec}u + lid;
  if (first + ${(vec - 1) * wg}u < nv) {
    ${ks.map((k) => `let q${k} = first + ${Number(k) * wg}u;`).join(' ')}
    ${ks.map(loads).join('\n    ')}
    ${ks.map(compute).join('\n    ')}
  } else {
    for (var k = 0u; k < ${vec}u; k++) {
      let qt = first + k * ${wg}u;
      if (qt < nv) {
        ${loads('t')}
        ${compute('t')}
      }
    }
  }
  }
}`);
  return lines.join('\n');
}

/**
 * Encodes a contiguous elementwise launch with several outputs: `fn` is WGSL defining `struct EwOut { r0: T0, ... }`
 * and `fn ew(x0: I0, ...) -> EwOut` over the inputs' compute types. Returns null (nothing encoded) unless every
 * input and output is 32-bit and every input is dense row-major with `shape`'s size or a single broadcast element.
 * `into`: dense outputs already allocated (one per dtype of `outs`).
 */
export function fastElementwiseFn(be: WebGpuBackend, ins: readonly GpuArg[], outs: readonly Dtype[], shape: readonly number[],
  fn: string, into?: readonly { data: ArrayData; arg: GpuArg }[]): ArrayData[] | null {
  const T = reduceTuning();
  if (!T.fastPaths || be.quirks.noFastElementwise) return null;
  for (const d of outs) if (d.size !== 4 || !computeType(d)) return null;
  const n = sizeOf(shape);
  const acc: Access[] = new Array(ins.length);
  for (let j = 0; j < ins.length; j++) {
    const a = access(ins[j]!, n);
    if (a === null) return null;
    acc[j] = a;
  }
  if (ins.length + outs.length + 1 > be.device.limits.maxStorageBuffersPerShaderStage) return null;
  const os = into ?? outs.map((d) => be.output(d, shape));
  if (n === 0) return os.map((o) => o.data);
  const nv = Math.ceil(n / 4);
  const meta = [nv];
  for (let j = 0; j < ins.length; j++) meta.push(acc[j] === 'vec' ? ins[j]!.offset / 4 : ins[j]!.offset);
  // without a workgroup cap every workgroup has exactly one block, so the shader needs no loop
  const stride = T.ewGroups > 0;
  // keyed by tuning, then `fn` (callers that memoise it pass the same string object, whose hash V8 keeps), then
  // the dtypes and access modes: as a number when it fits exactly, so the common launch builds no key string
  let byFn = shaders.get(T);
  if (!byFn) shaders.set(T, (byFn = new Map()));
  let bySig = byFn.get(fn);
  if (!bySig) byFn.set(fn, (bySig = new Map()));
  let sig: number | string;
  if (ins.length + outs.length <= 6) {
    sig = 0;
    for (let j = 0; j < ins.length; j++) sig = sig * 64 + ins[j]!.dtype.index * 3 + ACCESS_CODE[acc[j]!];
    for (const d of outs) sig = sig * 16 + d.index;
    sig = (sig * 8 + ins.length) * 8 + outs.length;
  } else {
    sig = '';
    for (let j = 0; j < ins.length; j++) sig += `|${ins[j]!.dtype.name}:${acc[j]}`;
    for (const d of outs) sig += `>${d.name}`;
  }
  let code = bySig.get(sig);
  if (code === undefined) bySig.set(sig, (code = source(ins.map((x) => x.dtype), acc, outs, fn, T.ewWg, T.ewVec, stride)));
  const blocks = Math.ceil(nv / (T.ewWg * T.ewVec));
  const bufs: PooledBuffer[] = [];
  for (const x of ins) bufs.push(x.buf);
  for (const o of os) bufs.push(o.arg.buf);
  bufs.push(be.params(meta));
  be.dispatch(code, bufs, stride ? Math.min(T.ewGroups, blocks) : blocks);
  fastElementwiseStats.launches++;
  return os.map((o) => o.data);
}

const ACCESS_CODE: Record<Access, number> = { vec: 0, words: 1, scalar: 2 };

/**
 * `elementwise()` of elementwise.ts for dense contiguous 32-bit inputs (or broadcast scalars) and a 32-bit output:
 * `expr` maps the inputs' values (WGSL expressions in their compute types) to the output value in the output's
 * compute type. Returns null (nothing encoded) when the layout or a dtype does not fit; the caller then uses the
 * general kernel.
 *
 * @example
 * ```ts
 * const d = fastElementwise(be, [a, b], dt.float32, shape, ([x, y]) => `${x} * ${y}`) ?? elementwise(...);
 * ```
 */
export function fastElementwise(be: WebGpuBackend, ins: readonly GpuArg[], out: Dtype, shape: readonly number[],
  expr: (v: string[]) => string, memo?: string): ArrayData | null {
  const t = computeType(out);
  if (!t) return null;
  let byDtypes: Map<number, string> | undefined;
  let key = 0;
  let fn: string | undefined;
  if (memo !== undefined && ins.length <= 4) {
    key = out.index;
    for (const x of ins) key = key * 16 + x.dtype.index;
    key = key * 8 + ins.length;
    byDtypes = fnMemo.get(memo);
    if (!byDtypes) fnMemo.set(memo, (byDtypes = new Map()));
    fn = byDtypes.get(key);
  }
  if (fn === undefined) {
    if (ins.some((x) => !computeType(x.dtype))) return null;
    const params = ins.map((x, j) => `x${j}: ${computeType(x.dtype)}`).join(', ');
    fn = `struct EwOut { r0: ${t} }
fn ew(${params}) -> EwOut { return EwOut(${expr(ins.map((_, j) => `x${j}`))}); }`;
    byDtypes?.set(key, fn);
  }
  return fastElementwiseFn(be, ins, ONE_OUT.get(out) ?? oneOut(out), shape, fn)?.[0] ?? null;
}

/** `ew` functions by memo key, then dtypes: the same string object each launch, so lookups keyed by it stay cheap. */
const fnMemo = new Map<string, Map<number, string>>();

/** `[out]` lists, made once per dtype. */
const ONE_OUT = new Map<Dtype, readonly Dtype[]>();
function oneOut(d: Dtype): readonly Dtype[] {
  const l = [d];
  ONE_OUT.set(d, l);
  return l;
}
