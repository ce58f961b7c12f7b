/**
 * @file GPU kernels of `contract` (labelled einsum-style contraction of one or two operands) and `addmm`
 * (`alpha * a @ b + beta * c`), on the register-tiled GEMM of conv-tile.ts. The CPU's contraction plan splits the
 * labels into batch, M, N and K groups with one element-offset table per operand and group; those tables go to
 * the GPU as one i32 buffer, so strided, broadcast (size-1 or zero-stride) and diagonal (repeated label) operands
 * are read in place without copies. Each workgroup computes a TM x TN tile of one batch entry; the addmm epilogue
 * reads `c` broadcast to the output by decomposing the dense output index. f32 accumulation; float16/bfloat16 are
 * read through their loaders and narrowed once at the end.
 */
import * as dt from '../../../core/dtype.js';
import type { Dtype } from '../../../core/dtype.js';
import type { Node } from '../../../core/array.js';
import { broadcastStrides } from '../../cpu/view.js';
import { planContract, type ContractPlan } from '../../cpu/kernels/matmul-plan.js';
import type { GpuArg, WebGpuBackend } from '../backend.js';
import type { PooledBuffer } from '../allocator.js';
import { PRELUDE, computeType, loader } from '../wgsl.js';
import type { GpuKernel } from './kernel.js';
import { narrow } from './elementwise.js';
import { Params, WG, cachedSource, f32Bits, kFastSlots, pickTile, tileDecls, tileLoop, tileStore, type Tile } from './conv-tile.js';

const TABLES = ['bA', 'bB', 'bO', 'mA', 'mO', 'nB', 'nO', 'kA', 'kB'] as const;

/** The epilogue operand of addmm: `c` with its strides broadcast to the output. */
interface Epilogue { c: GpuArg; cStrides: number[]; alpha: number; beta: number }

function fields(outRank: number): string[] {
  const f = ['M', 'N', 'K', 'tm', 'tn', 'total', 'aoff', 'boff', 'alpha', 'beta', 'coff', ...TABLES];
  for (let d = 0; d < outRank; d++) f.push(`os${d}`, `cs${d}`);
  return f;
}

function shader(a: Dtype, b: Dtype | null, c: Dtype | null, t: Tile, outRank: number, P: Params): string {
  const p = (n: string): string => P.at(n);
  const tab = (name: string, i: string): string => `tab[${p(name)} + ${i}]`;
  const binds: string[] = ['var<storage, read> in0: array<u32>;'];
  if (b) binds.push('var<storage, read> in1: array<u32>;');
  if (c) binds.push('var<storage, read> inc: array<u32>;');
  binds.push('var<storage, read_write> out: array<u32>;', 'var<storage, read> prm: array<i32>;', 'var<storage, read> tab: array<i32>;');
  const decls = binds.map((s, i) => `@group(0) @binding(${i}) ${s}`).join('\n');
  // B is staged with columns fastest: the n offset of an invocation is fixed, its k rows step by WG / TN
  const kStep = WG / t.TN, bSlots: string[] = [];
  for (let s = 0; s * kStep < t.TK; s++) {
    const kk = `(tid / ${t.TN} + ${s * kStep})`;
    const body = `let kk = ${kk}; let k = k0 + kk;
      var v = 0.0;
      if (nval && k < ${p('K')}) { v = ${b ? `ldb(bbase + nb + ${tab('kB', 'k')})` : '1.0'}; }
      Bs[kk * ${t.TN} + tn_] = v;`;
    bSlots.push((s + 1) * kStep <= t.TK ? `{ ${body} }` : `if (${kk} < ${t.TK}) { ${body} }`);
  }
  const stageA = kFastSlots(t, t.TM, (m) => `let m = ${m};
      var v = 0.0;
      if (kval && rt * ${t.TM} + m < ${p('M')}) { v = lda(abase + rA[m] + ka); }
      As[kc * ${t.TM} + m] = v;`);
  const stage = `let kc = tid % ${t.TK};
    let kval = k0 + kc < ${p('K')};
    var ka = 0;
    if (kval) { ka = ${tab('kA', 'k0 + kc')}; }
    ${stageA}
    ${bSlots.join('\n    ')}`;
  let coff = '';
  if (c) {
    const steps: string[] = [];
    for (let d = outRank - 1; d >= 0; d--) {
      steps.push(`off += (rem % ${p(`os${d}`)}) * ${p(`cs${d}`)}; rem = rem / ${p(`os${d}`)};`);
    }
    coff = `fn coff(o: i32) -> i32 { var rem = o; var off = ${p('coff')}; ${steps.join(' ')} return off; }\n${loader('ldc', 'inc', c)}`;
  }
  const epi = c ? `v = bitcast<f32>(${p('alpha')}) * v + bitcast<f32>(${p('beta')}) * ldc(coff(o));` : '';
  const store = tileStore(t, (i, j) => `{ let r = rt * ${t.TM} + ty + ${i * t.TY}; let cc = ct * ${t.TN} + tx + ${j * t.TX};
    if (valid && r < ${p('M')} && cc < ${p('N')}) {
      let o = obase + ${tab('mO', 'r')} + ${tab('nO', 'cc')};
      var v = acc_${i}_${j}; ${epi}
      out[o] = bitcast<u32>(v);
    } }`);
  return `${PRELUDE}
${decls}
${loader('lda', 'in0', a)}
${b ? loader('ldb', 'in1', b) : ''}
${coff}
${tileDecls(t)}
var<workgroup> rA: array<i32, ${t.TM}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tid = i32(lid);
  let tx = tid % ${t.TX}; let ty = tid / ${t.TX};
  let gid = i32(wid.x + wid.y * nwg.x);
  let valid = gid < ${p('total')};
  let per = ${p('tm')} * ${p('tn')};
  var bt = 0;
  if (valid) { bt = gid / per; }
  let rt = (gid % per) / ${p('tn')};
  let ct = gid % ${p('tn')};
  let abase = ${p('aoff')} + ${tab('bA', 'bt')};
  let bbase = ${p('boff')} + ${tab('bB', 'bt')};
  let obase = ${tab('bO', 'bt')};
  for (var m = tid; m < ${t.TM}; m += ${WG}) {
    let r = rt * ${t.TM} + m;
    var v = 0;
    if (r < ${p('M')}) { v = ${tab('mA', 'r')}; }
    rA[m] = v;
  }
  let tn_ = tid % ${t.TN};
  let nval = ct * ${t.TN} + tn_ < ${p('N')};
  var nb = 0;
  if (nval) { nb = ${tab('nB', `ct * ${t.TN} + tn_`)}; }
  workgroupBarrier();
  ${tileLoop(t, stage, '0', p('K'))}
  ${store}
}`;
}

/**
 * Encodes `plan` over `a` (and `b`) into the dense float32 `dst` (the plan's natural output, any shape of the same
 * size), with the addmm epilogue when given.
 */
function encode(be: WebGpuBackend, plan: ContractPlan, a: GpuArg, b: GpuArg | null, dst: GpuArg, epi: Epilogue | null): void {
  const { M, N, K, batch } = plan;
  const t = pickTile(M, N);
  const tm = Math.ceil(M / t.TM), tn = Math.ceil(N / t.TN), total = batch * tm * tn;
  if (total === 0) return;
  const rank = epi ? plan.outShape.length : 0;
  const P = new Params(fields(rank));
  const tables: number[] = [];
  for (const name of TABLES) {
    P.set(name, tables.length);
    for (const v of plan[name]) tables.push(v);
  }
  const vals: Record<string, number> = { M, N, K, tm, tn, total, aoff: a.offset, boff: b ? b.offset : 0 };
  if (epi) {
    Object.assign(vals, { alpha: f32Bits(epi.alpha), beta: f32Bits(epi.beta), coff: epi.c.offset });
    plan.outShape.forEach((s, d) => { vals[`os${d}`] = s; vals[`cs${d}`] = epi.cStrides[d]!; });
  }
  for (const [k, v] of Object.entries(vals)) P.set(k, v);
  const bufs: PooledBuffer[] = [a.buf];
  if (b) bufs.push(b.buf);
  if (epi) bufs.push(epi.c.buf);
  bufs.push(dst.buf, be.params(P.values), be.params(tables));
  const bd = b ? b.dtype : null, cd = epi ? epi.c.dtype : null;
  const key = `contract:${a.dtype.name}:${bd?.name}:${cd?.name}:${t.TM}x${t.TN}:${rank}`;
  be.dispatch(cachedSource(key, () => shader(a.dtype, bd, cd, t, rank, P)), bufs, total);
}

const view = (x: GpuArg, labels: readonly number[]): { labels: readonly number[]; shape: readonly number[]; strides: readonly number[] } =>
  ({ labels, shape: x.shape, strides: x.strides });

/** Runs a plan into a fresh output of `y`'s dtype and shape: direct for float32, else through a float32 temporary. */
function runPlan(be: WebGpuBackend, node: Node, plan: ContractPlan, a: GpuArg, b: GpuArg | null, epi: Epilogue | null) {
  const y = node.outputs[0]!;
  const o = y.dtype === dt.float32 ? be.output(y.dtype, y.shape) : null;
  const dst: GpuArg = o ? o.arg : be.tempArg(dt.float32, y.shape);
  if (y.size > 0) encode(be, plan, a, b, dst, epi);
  return [o ? o.data : narrow(be, dst, y.dtype)];
}

const MK = -1, KK = -2, NK = -3;

/** NumPy matmul as labels: batch dims right-aligned, then M/K for a and K/N for b; 1-d operands drop M/N. */
function matmulLabels(na: number, nb: number): { la: number[]; lb: number[]; out: number[] } {
  const nbatch = Math.max(0, na - 2, nb - 2);
  const batch = (n: number): number[] => Array.from({ length: n }, (_, i) => nbatch - n + i);
  const la = na === 1 ? [KK] : [...batch(na - 2), MK, KK];
  const lb = nb === 1 ? [KK] : [...batch(nb - 2), KK, NK];
  const out = batch(nbatch);
  if (na > 1) out.push(MK);
  if (nb > 1) out.push(NK);
  return { la, lb, out };
}

const floats = (node: Node): boolean => node.inputs.every((x) => computeType(x.dtype) === 'f32');

const addmmKernel: GpuKernel = {
  ok: (node) => floats(node) && node.inputs[1]!.ndim >= 1 && node.inputs[2]!.ndim >= 1,
  run: (node, be) => {
    const [c, a, b] = node.inputs.map((x) => be.arg(x)) as [GpuArg, GpuArg, GpuArg];
    const { alpha, beta } = node.params as { alpha: number; beta: number };
    const { la, lb, out } = matmulLabels(a.shape.length, b.shape.length);
    const plan = planContract(view(a, la), view(b, lb), out);
    const cStrides = broadcastStrides(c, plan.outShape);
    return runPlan(be, node, plan, a, b, { c, cStrides, alpha, beta });
  },
};

const contractKernel: GpuKernel = {
  ok: (node) => floats(node) && computeType((node.params as { dtype: Dtype }).dtype) === 'f32',
  run: (node, be) => {
    const p = node.params as { a: number[]; b: number[] | null; out: number[] };
    const a = be.arg(node.inputs[0]!), b = p.b ? be.arg(node.inputs[1]!) : null;
    const plan = planContract(view(a, p.a), b ? view(b, p.b!) : null, p.out);
    return runPlan(be, node, plan, a, b, null);
  },
};

/** The contraction GPU kernels, by primitive name. */
export const contractKernels: Record<string, GpuKernel> = { addmm: addmmKernel, contract: contractKernel };
