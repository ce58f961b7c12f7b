/**
 * @file GPU `view` (dtype reinterpretation) and the graph-plumbing primitives `custom` and `depends`, whose outputs
 * are their inputs.
 *
 * `view` shares the input's GPU buffer when the bytes line up: same-size dtypes keep any strides, a size change
 * needs a unit-stride last axis and every other stride and the offset to stay whole in the new element size (as
 * a strided view of a dtype GPU kernels cannot read would be unreadable, such a result must be dense). Otherwise
 * a copy kernel writes the input's row-major bytes: one output word per invocation, each byte fetched from its
 * strided input element, so every dtype works, 64-bit and complex included (their bytes are stored as on the host).
 */
import type { MxArray } from '../../../core/array.js';
import type { PrimitiveParams } from '../../../core/primitive.js';
import { rowMajorStrides, sizeOf } from '../../../core/shape.js';
import type { ArrayData } from '../../backend.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { isRowContiguous } from '../../cpu/view.js';
import { computeType } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';

const WG = 64;

/** A view of `x`'s own GPU buffer in the new dtype, or null when the byte layout does not allow one. */
function alias(be: WebGpuBackend, x: MxArray, outShape: readonly number[], outDtype: MxArray['dtype']): ArrayData | null {
  const d = x._data!;
  if (d.storage.backend !== be) return null;
  const si = x.dtype.size, so = outDtype.size;
  const nd = x.shape.length;
  if (sizeOf(outShape) === 0) return { storage: d.storage, offset: 0, strides: rowMajorStrides(outShape), contiguous: true };
  let strides: number[];
  if (si === so) strides = [...d.strides];
  else {
    if (nd === 0 || (d.strides[nd - 1] !== 1 && x.shape[nd - 1] !== 1)) return null;
    strides = d.strides.map((s) => (s * si) / so);
    strides[nd - 1] = 1;
  }
  const offset = (d.offset * si) / so;
  if (!Number.isInteger(offset) || strides.some((s) => !Number.isInteger(s))) return null;
  const contiguous = isRowContiguous(outShape, strides);
  // strided data of a dtype without GPU kernels could not be made dense for a read
  if (!contiguous && computeType(outDtype) === null) return null;
  return { storage: d.storage, offset, strides, contiguous };
}

/** Writes the row-major bytes of the strided view `x` into a dense output of `outDtype`/`outShape`. */
function copyBytes(be: WebGpuBackend, x: GpuArg, outDtype: MxArray['dtype'], outShape: readonly number[]): ArrayData {
  const o = be.output(outDtype, outShape);
  const size = x.dtype.size, bytes = sizeOf(x.shape) * size;
  if (bytes === 0) return o.data;
  const nd = x.shape.length;
  const dec: string[] = [];
  for (let d = nd - 1; d >= 0; d--) {
    dec.push(`{ let i = ${d ? `rem % prm[${2 + d}]` : 'rem'};${d ? ` rem = rem / prm[${2 + d}];` : ''} off += i * prm[${2 + nd + d}]; }`);
  }
  // meta: [bytes, offset, shape[nd], strides[nd]]
  const code = `@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> prm: array<i32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let w = i32((wid.x + wid.y * nwg.x) * ${WG}u + lid);
  if (w * 4 >= prm[0]) { return; }
  var word = 0u;
  for (var k = 0; k < 4; k++) {
    let b = w * 4 + k;
    if (b >= prm[0]) { break; }
    var rem = b / ${size};
    var off = prm[1];
    ${dec.join('\n    ')}
    let at = off * ${size} + b % ${size};
    word = word | (((in0[u32(at) >> 2u] >> ((u32(at) & 3u) * 8u)) & 0xffu) << (u32(k) * 8u));
  }
  out[w] = word;
}`;
  be.dispatch(code, [x.buf, o.arg.buf, be.params([bytes, x.offset, ...x.shape, ...x.strides])], Math.ceil(Math.ceil(bytes / 4) / WG));
  return o.data;
}

const viewKernel: GpuKernel = {
  ok: () => true,
  run: (node, be) => {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const dtype = (node.params as PrimitiveParams['view']).dtype;
    return [alias(be, x, y.shape, dtype) ?? copyBytes(be, be.arg(x), dtype, y.shape)];
  },
};

/** Whether every array lives in a GPU buffer (graph plumbing then passes them through; else the CPU kernel runs). */
const onGpu = (xs: readonly MxArray[]): boolean => xs.every((x) => x._data?.storage.backend.type === 'gpu');

const customKernel: GpuKernel = {
  ok: (node) => onGpu(node.inputs.slice((node.params as PrimitiveParams['custom']).nPrimals)),
  run: (node) => node.inputs.slice((node.params as PrimitiveParams['custom']).nPrimals).map((x) => ({ ...x._data! })),
};

const dependsKernel: GpuKernel = {
  ok: (node) => onGpu(node.inputs.slice(0, (node.params as PrimitiveParams['depends']).n)),
  run: (node) => node.inputs.slice(0, (node.params as PrimitiveParams['depends']).n).map((x) => ({ ...x._data! })),
};

/** View and graph-plumbing GPU kernels. */
export const viewKernels: Record<string, GpuKernel> = { view: viewKernel, custom: customKernel, depends: dependsKernel };
