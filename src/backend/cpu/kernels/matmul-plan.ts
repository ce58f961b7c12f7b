/**
 * @file Turns a labelled contraction (`out[o] = sum a[la] * b[lb]`) over strided views into four index groups:
 * batch (in a, b and out), M (a and out), N (b and out) and K (summed). Each group becomes a table of element
 * offsets per operand, so every kernel below works on any strides, broadcasts and diagonals without copying,
 * and a group whose offsets form an arithmetic progression is recognised as one strided dimension.
 */

/** One operand: labels per axis plus its view geometry. */
export interface LabelledView {
  labels: readonly number[];
  shape: readonly number[];
  strides: readonly number[];
}

/** Offsets of every index of each group, per operand, in row-major order over the group's labels. */
export interface ContractPlan {
  batch: number; bA: Float64Array; bB: Float64Array; bO: Float64Array;
  M: number; mA: Float64Array; mO: Float64Array;
  N: number; nB: Float64Array; nO: Float64Array;
  K: number; kA: Float64Array; kB: Float64Array;
  /** Output extent per `out` label (the dense natural output shape). */
  outShape: number[];
}

function labelStrides(v: LabelledView | null): Map<number, number> {
  const m = new Map<number, number>();
  if (!v) return m;
  for (let i = 0; i < v.labels.length; i++) {
    const l = v.labels[i]!;
    // a size-1 axis broadcasts; a repeated label walks the diagonal, whose stride is the sum
    const s = v.shape[i] === 1 ? 0 : v.strides[i]!;
    m.set(l, (m.get(l) ?? 0) + s);
  }
  return m;
}

function groupOffsets(labels: readonly number[], size: Map<number, number>, strides: Map<number, number>[]): Float64Array[] {
  let n = 1;
  for (const l of labels) n *= size.get(l)!;
  const outs = strides.map(() => new Float64Array(n));
  if (n === 0 || labels.length === 0) return outs;
  const nd = labels.length;
  const ext = labels.map((l) => size.get(l)!);
  const st = strides.map((m) => labels.map((l) => m.get(l) ?? 0));
  const idx = new Array<number>(nd).fill(0);
  const cur = new Array<number>(strides.length).fill(0);
  for (let k = 0; k < n; k++) {
    for (let q = 0; q < outs.length; q++) outs[q]![k] = cur[q]!;
    let d = nd - 1;
    while (d >= 0) {
      idx[d]!++;
      for (let q = 0; q < cur.length; q++) cur[q] = cur[q]! + st[q]![d]!;
      if (idx[d]! < ext[d]!) break;
      for (let q = 0; q < cur.length; q++) cur[q] = cur[q]! - st[q]![d]! * ext[d]!;
      idx[d] = 0;
      d--;
    }
  }
  return outs;
}

/**
 * Builds the plan. Output offsets are row-major over `out` labels. A label absent from the output is summed even
 * when it occurs in one operand only (the other operand then has stride 0 along it).
 */
export function planContract(a: LabelledView, b: LabelledView | null, out: readonly number[]): ContractPlan {
  const size = new Map<number, number>();
  for (const v of b ? [a, b] : [a]) {
    for (let i = 0; i < v.labels.length; i++) {
      const l = v.labels[i]!, s = v.shape[i]!;
      const prev = size.get(l);
      // broadcasting: 1 gives way to the other extent (0 included)
      if (prev === undefined || prev === 1) size.set(l, s);
    }
  }
  const sA = labelStrides(a), sB = labelStrides(b);
  const outShape = out.map((l) => size.get(l)!);
  const sO = new Map<number, number>();
  let acc = 1;
  for (let i = out.length - 1; i >= 0; i--) { sO.set(out[i]!, acc); acc *= outShape[i]!; }
  const inA = new Set(a.labels), inB = new Set(b ? b.labels : []), inO = new Set(out);
  const batch: number[] = [], gm: number[] = [], gn: number[] = [], gk: number[] = [];
  for (const l of out) {
    if (inA.has(l) && inB.has(l)) batch.push(l);
    else if (inA.has(l)) gm.push(l);
    else gn.push(l);
  }
  for (const l of inA) if (!inO.has(l)) gk.push(l);
  for (const l of inB) if (!inO.has(l) && !inA.has(l)) gk.push(l);
  const [bA, bB, bO] = groupOffsets(batch, size, [sA, sB, sO]);
  const [mA, mO] = groupOffsets(gm, size, [sA, sO]);
  const [nB, nO] = groupOffsets(gn, size, [sB, sO]);
  const [kA, kB] = groupOffsets(gk, size, [sA, sB]);
  return {
    batch: bA!.length, bA: bA!, bB: bB!, bO: bO!,
    M: mA!.length, mA: mA!, mO: mO!,
    N: nB!.length, nB: nB!, nO: nO!,
    K: kA!.length, kA: kA!, kB: kB!,
    outShape,
  };
}

/** The common stride of an offset table that is an arithmetic progression from 0, else NaN. */
export function progression(offs: Float64Array): number {
  const n = offs.length;
  if (n <= 1) return 0;
  const s = offs[1]! - offs[0]!;
  for (let i = 2; i < n; i++) if (offs[i] !== i * s) return NaN;
  return s;
}
