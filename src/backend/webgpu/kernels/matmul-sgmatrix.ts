/**
 * @file Opt-in tensor-core tier through Dawn's experimental `chromium-experimental-subgroup-matrix` feature
 * (`initGpu({ subgroupMatrix: true })`). The adapter lists the matrix shapes and component types it supports; this
 * kernel uses an f32 x f32 -> f32 configuration, or f16 x f16 -> f32 for float16 inputs when the device also has
 * `shader-f16` (f32 inputs are never rounded to f16: that would not be an f32 matmul).
 *
 * Correctness first: operand tiles are staged through workgroup memory with the usual loaders (any strides,
 * transposes, batch broadcasting, zero-filled edges), multiplied with subgroupMatrixMultiplyAccumulate, and the
 * result tile goes back through workgroup memory so edge rows and columns are never written. The workgroup is one
 * subgroup wide; should the device run it as several smaller subgroups, each computes the same tile and writes the
 * same values.
 */
/// <reference types="@webgpu/types" />
import * as dt from '../../../core/dtype.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import { PRELUDE, loader } from '../wgsl.js';
import { batchOffsets, extraAt, metaOf, type MatProblem } from './matmul-common.js';

/** One configuration the adapter reports (GPUSubgroupMatrixConfig). */
export interface SgMatrixConfig {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}

/** What a successful probe found: the configuration used per input kind, the subgroup width. */
interface SgMatrixState {
  device: GPUDevice;
  f32?: SgMatrixConfig;
  f16?: SgMatrixConfig;
  width: number;
}

let state: SgMatrixState | null = null;

/** Result tiles per subgroup along each dimension, and K steps staged per barrier. */
const TR = 2, TC = 2, KS = 2;

function shader(c: SgMatrixConfig, comp: 'f32' | 'f16', a: dt.Dtype, b: dt.Dtype, nb: number, width: number): string {
  const BM = TR * c.M, BN = TC * c.N, BK = KS * c.K;
  const L = `subgroup_matrix_left<${comp}, ${c.K}, ${c.M}>`;
  const R = `subgroup_matrix_right<${comp}, ${c.N}, ${c.K}>`;
  const Res = `subgroup_matrix_result<f32, ${c.N}, ${c.M}>`;
  const e = extraAt(nb);
  const accs: string[] = [], mma: string[] = [], stores: string[] = [];
  for (let i = 0; i < TR; i++) {
    for (let j = 0; j < TC; j++) {
      accs.push(`var r${i}_${j} = ${Res}();`);
      stores.push(`subgroupMatrixStore<row_major>(&Cs, ${i * c.M * BN + j * c.N}u, r${i}_${j}, ${BN}u);`);
    }
  }
  for (let s = 0; s < KS; s++) {
    mma.push('{');
    for (let i = 0; i < TR; i++) mma.push(`let l${i} = subgroupMatrixLoad<${L}, row_major>(&As, ${i * c.M * BK + s * c.K}u, ${BK}u);`);
    for (let j = 0; j < TC; j++) mma.push(`let q${j} = subgroupMatrixLoad<${R}, row_major>(&Bs, ${s * c.K * BN + j * c.N}u, ${BN}u);`);
    for (let i = 0; i < TR; i++) for (let j = 0; j < TC; j++) mma.push(`r${i}_${j} = subgroupMatrixMultiplyAccumulate(l${i}, q${j}, r${i}_${j});`);
    mma.push('}');
  }
  return `enable chromium_experimental_subgroup_matrix;
${comp === 'f16' ? 'enable f16;\n' : ''}${PRELUDE}
@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read> in1: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> prm: array<i32>;
${loader('lda', 'in0', a)}
${loader('ldb', 'in1', b)}
var<workgroup> As: array<${comp}, ${BM * BK}>;
var<workgroup> Bs: array<${comp}, ${BK * BN}>;
var<workgroup> Cs: array<f32, ${BM * BN}>;
@compute @workgroup_size(${width})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) tid: u32) {
  let M = prm[0]; let N = prm[1]; let K = prm[2];
  let g = i32(wid.x + wid.y * nwg.x);
  if (g >= prm[${e}]) { return; }
  let tilesN = (N + ${BN - 1}) / ${BN}; let perBatch = ((M + ${BM - 1}) / ${BM}) * tilesN;
  let batch = g / perBatch; let t = g % perBatch;
  let m0 = (t / tilesN) * ${BM}; let n0 = (t % tilesN) * ${BN};
  var ao = prm[7]; var bo = prm[8];
  ${batchOffsets(nb, 'batch')}
  ${accs.join('\n  ')}
  for (var k0 = 0; k0 < K; k0 += ${BK}) {
    for (var u = tid; u < ${BM * BK}u; u += ${width}u) {
      let r = m0 + i32(u / ${BK}u); let k = k0 + i32(u % ${BK}u);
      var v = 0.0;
      if (r < M && k < K) { v = lda(ao + r * prm[3] + k * prm[4]); }
      As[u] = ${comp}(v);
    }
    for (var u = tid; u < ${BK * BN}u; u += ${width}u) {
      let k = k0 + i32(u / ${BN}u); let n = n0 + i32(u % ${BN}u);
      var v = 0.0;
      if (k < K && n < N) { v = ldb(bo + k * prm[5] + n * prm[6]); }
      Bs[u] = ${comp}(v);
    }
    workgroupBarrier();
    ${mma.join('\n    ')}
    workgroupBarrier();
  }
  ${stores.join('\n  ')}
  workgroupBarrier();
  let obase = batch * M * N;
  for (var u = tid; u < ${BM * BN}u; u += ${width}u) {
    let r = m0 + i32(u / ${BN}u); let n = n0 + i32(u % ${BN}u);
    if (r < M && n < N) { out[obase + r * N + n] = bitcast<u32>(Cs[u]); }
  }
}`;
}

const pick = (cs: readonly SgMatrixConfig[], comp: string): SgMatrixConfig | undefined =>
  cs.filter((c) => c.componentType === comp && c.resultComponentType === 'f32').sort((x, y) => x.M * x.N - y.M * y.N)[0];

/**
 * @internal Called by initGpu when the device has the feature: picks configurations and compiles a probe shader
 * for each inside an error scope (the syntax of this experimental extension has changed across Dawn versions).
 * Returns a line describing what was found.
 */
export async function setupSgMatrix(device: GPUDevice, configs: readonly SgMatrixConfig[], width: number): Promise<string> {
  state = null;
  const s: SgMatrixState = { device, width };
  const cands: ['f32' | 'f16', SgMatrixConfig | undefined][] = [['f32', pick(configs, 'f32')]];
  if (device.features.has('shader-f16')) cands.push(['f16', pick(configs, 'f16')]);
  const notes: string[] = [];
  for (const [comp, c] of cands) {
    if (!c) continue;
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: shader(c, comp, comp === 'f32' ? dt.float32 : dt.float16, comp === 'f32' ? dt.float32 : dt.float16, 0, width) });
    device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const err = await device.popErrorScope();
    if (err) { notes.push(`${comp} ${c.M}x${c.N}x${c.K}: ${err.message.split('\n')[0]}`); continue; }
    s[comp] = c;
    notes.push(`${comp} ${c.M}x${c.N}x${c.K}: ok`);
  }
  if (s.f32 || s.f16) state = s;
  return notes.join('; ') || 'no f32-result configuration';
}

/** Whether the tier can compute this problem on this device. */
export function sgMatrixReady(be: WebGpuBackend, p: MatProblem): boolean {
  if (!state || state.device !== be.device) return false;
  if (p.a.dtype === dt.float32 && p.b.dtype === dt.float32) return !!state.f32;
  return !!state.f16 && p.a.dtype === dt.float16 && p.b.dtype === dt.float16;
}

/** Encodes the subgroup-matrix matmul of `p` into `dst` (dense f32, nbatch * M * N). */
export function sgMatrixMatmul(be: WebGpuBackend, p: MatProblem, dst: GpuArg): void {
  const s = state!;
  const comp = p.a.dtype === dt.float32 ? 'f32' : 'f16';
  const c = s[comp]!;
  const groups = p.nbatch * Math.ceil(p.M / (TR * c.M)) * Math.ceil(p.N / (TC * c.N));
  if (groups === 0) return;
  const code = shader(c, comp, p.a.dtype, p.b.dtype, p.batch.length, s.width);
  be.dispatch(code, [p.a.buf, p.b.buf, dst.buf, be.params(metaOf(p, [groups]))], groups);
}
