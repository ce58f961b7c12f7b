/**
 * @file The GPU kernel of `planCall` (a compiled call as one node). The first run of an input signature runs the
 * plan's steps through their kernels with a recorder attached to the backend, which notes every allocation and
 * launch: the WGSL code, each binding as input k / allocation n / parameter words, and the workgroup count. Later
 * runs replay that list: they copy the parameter words into the arena and dispatch with the call's own buffers,
 * skipping node construction, scheduling, kernel selection and parameter computation. The recording's
 * intermediates are laid out once in a memory plan (allocations whose lifetimes do not overlap share a buffer); the
 * plan keeps those buffers, so every call binds the same ones and finds its bind groups cached, and only outputs
 * are allocated per call.
 *
 * Inputs are made dense at offset 0 on the GPU first (host data is uploaded, strided views copied; constants once
 * per plan), so the recorded parameter words (which hold input offsets and strides) fit every later call. Inputs
 * that share a buffer get a recording of their own (the alias pattern is part of the signature). The copy the
 * backend makes for a launch that binds one slab slot twice is recorded too. A recording is refused (the plan goes
 * back to one node per step) when anything else happens: an upload inside a step, parameters too long for the
 * arena, a fallback, a buffer the recorder did not see allocated. If a step's kernel declines, the node declines
 * too and runs once on the CPU.
 */
import { MxArray, type Node } from '../../core/array.js';
import { Storage, backendFor, type ArrayData } from '../backend.js';
import { runSteps, handOver, type PlanCallParams } from '../../core/primitives/replay.js';
import { ParamRef, newLaunchMemo, type GpuRecorder, type LaunchMemo, type WebGpuBackend } from './backend.js';
import { sizeClass, type PooledBuffer } from './allocator.js';
import type { GpuKernel } from './kernels/kernel.js';

/** A binding of a recorded launch: input `i`, allocation `i` of the call, or parameter words. */
type Bind = { k: 0; i: number } | { k: 1; i: number } | { k: 2; words: Int32Array };

interface Launch { code: string; binds: Bind[]; groups: number; memo: LaunchMemo }

/** A copy between launches (a launch that binds one buffer twice reads a copy for its second binding). */
interface Copy { from: Bind & { k: 0 | 1 }; to: number; bytes: number }

/** Where an output's data lives: in input `i` (a view of it) or in allocation `i`, and the view. */
interface OutRec { inInput: boolean; i: number; nbytes: number; offset: number; strides: readonly number[]; contiguous: boolean }

/**
 * Allocation sizes (negative: a whole buffer, never a slab slot), the work in order, and the outputs. `slot[i]`
 * is the buffer of the plan's memory plan that intermediate allocation i lives in (-1: an output's allocation,
 * fresh per call); `slots` are those buffers' sizes, and `owned` the buffers once made (per pool).
 */
interface Recording {
  allocs: number[];
  work: (Launch | Copy)[];
  outs: OutRec[];
  slot: number[];
  slots: number[];
  owned: { pool: unknown; bufs: PooledBuffer[] } | null;
}

/** Recordings kept per plan (input alias patterns); past this, further signatures run their steps directly. */
const MAX_RECORDINGS = 8;

class Recorder implements GpuRecorder {
  src = new Map<PooledBuffer, Bind>();
  allocs: number[] = [];
  work: (Launch | Copy)[] = [];
  failed: string | null = null;
  constructor(private readonly be: WebGpuBackend) {}

  alloc(b: PooledBuffer, bytes: number): void {
    // a buffer freed and handed out again inside the call is a new allocation from here on
    this.src.set(b, { k: 1, i: this.allocs.length });
    this.allocs.push(bytes);
  }

  launch(code: string, buffers: readonly PooledBuffer[], groups: number): void {
    if (this.failed !== null) return;
    const binds: Bind[] = [];
    for (const b of buffers) {
      if (b instanceof ParamRef) { binds.push({ k: 2, words: this.be.paramsOf(b) }); continue; }
      const s = this.src.get(b);
      if (!s) { this.fail('a buffer from outside the call'); return; }
      binds.push(s);
    }
    this.work.push({ code, binds, groups, memo: newLaunchMemo() });
  }

  copy(from: PooledBuffer, to: PooledBuffer): void {
    const s = this.src.get(from);
    if (!s || s.k === 2) { this.fail('a copy of a buffer from outside the call'); return; }
    this.src.set(to, { k: 1, i: this.allocs.length });
    this.allocs.push(-to.size);
    this.work.push({ from: s, to: this.allocs.length - 1, bytes: from.size });
  }

  fail(why: string): void { this.failed ??= why; }
}

/** Which inputs share a buffer: '' when none does (the usual case), else the first sharer of each. */
function aliasKey(ins: readonly ArrayData[]): string {
  let key = '';
  if (ins.length > 16) {
    // training steps pass every parameter and optimizer state: a map, not n^2 comparisons
    const first = new Map<unknown, number>();
    ins.forEach((d, j) => {
      const i = first.get(d.storage.handle);
      if (i === undefined) first.set(d.storage.handle, j);
      else key += `${j}=${i},`;
    });
    return key;
  }
  for (let j = 1; j < ins.length; j++) {
    const h = ins[j]!.storage.handle;
    for (let i = 0; i < j; i++) {
      if (ins[i]!.storage.handle === h) { key += `${j}=${i},`; break; }
    }
  }
  return key;
}

/** Outputs of nodes `ok` has already run, handed to `run` (null: the node declined). */
const ran = new WeakMap<Node, ArrayData[] | null>();

/**
 * Runs the node: replay, recording or a direct run of the steps. Called from `ok`, because only running the steps
 * shows whether every kernel takes them; the scheduler calls `run` right after.
 */
function execute(node: Node, be: WebGpuBackend): ArrayData[] | null {
  const ins: ArrayData[] = [];
  const copies: ArrayData[] = [];
  const dropCopies = (): void => { for (const c of copies) c.storage.release(); };
  let dense = true;
  const nIn = (node.params as PlanCallParams).plan.nIn;
  for (let i = 0; i < node.inputs.length; i++) {
    const x = node.inputs[i]!;
    const d = x._data!;
    if (d.storage.backend === be && d.contiguous && d.offset === 0) { ins.push(d); continue; }
    const k = i >= nIn ? constantCopy(node, be, i) : null;
    if (k) { ins.push(k); continue; }
    try {
      const c = be.denseCopy(x);
      c.storage.retain();
      copies.push(c);
      ins.push(c);
    } catch {
      dense = false;
      break;
    }
  }
  if (!dense) { dropCopies(); return direct(node, be, node.inputs, null); }
  let outs: ArrayData[] | null;
  try {
    outs = runDense(node, be, ins);
  } catch (e) {
    dropCopies();
    throw e;
  }
  if (outs) handOver(outs, dropCopies);
  else dropCopies();
  return outs;
}

/** Dense copies of a plan's constants, by input index; released when the plan's cache is collected. */
type Held = Map<number, ArrayData>;
const heldCopies = new FinalizationRegistry<Held>((m) => { for (const d of m.values()) d.storage.release(); });

/**
 * The dense GPU copy of constant input `i` (a broadcast view, a host scalar), made once per plan and device: a
 * constant never changes, so later calls need no copy launch or upload. Null if it cannot be copied.
 */
function constantCopy(node: Node, be: WebGpuBackend, i: number): ArrayData | null {
  const cache = (node.params as PlanCallParams).cache;
  let m = cache.held as Held | undefined;
  if (!m) { cache.held = m = new Map(); heldCopies.register(cache, m); }
  const c = m.get(i);
  if (c && c.storage.backend === be) return c;
  let copy: ArrayData;
  try { copy = be.denseCopy(node.inputs[i]!); } catch { return null; }
  copy.storage.retain();
  c?.storage.release();
  m.set(i, copy);
  return copy;
}

/** Replays, records or runs the steps on dense inputs `ins`. */
function runDense(node: Node, be: WebGpuBackend, ins: readonly ArrayData[]): ArrayData[] | null {
  const p = node.params as PlanCallParams;
  const key = aliasKey(ins);
  const rec = p.cache.recs.get(key) as Recording | undefined;
  let outs: ArrayData[] | null;
  if (rec) outs = replay(be, rec, ins);
  else {
    // copies stand in for their inputs through handles of their own
    const start = node.inputs.map((x, i) => {
      if (ins[i] === x._data) return x;
      const h = new MxArray(x.shape, x.dtype, null);
      h._attach(ins[i]!);
      return h;
    });
    const own = start.filter((h, i) => h !== node.inputs[i]);
    const rc = p.cache.off || p.cache.recs.size >= MAX_RECORDINGS ? null : new Recorder(be);
    if (rc) ins.forEach((d, k) => rc.src.set(d.storage.handle as PooledBuffer, { k: 0, i: k }));
    outs = direct(node, be, start, rc, () => { for (const h of own) h._releaseData(); });
    if (rc && outs) {
      const r = finish(rc, outs);
      if (r) p.cache.recs.set(key, r);
      else p.cache.off = true;
    }
    if (!outs) p.cache.off = true;
  }
  return outs;
}

/** Runs the steps through their kernels (with `rc` watching); the data of the outputs, or null if one declined. */
function direct(node: Node, be: WebGpuBackend, start: readonly MxArray[], rc: Recorder | null, release?: () => void): ArrayData[] | null {
  be.recorder = rc;
  let r: ReturnType<typeof runSteps>;
  try {
    r = runSteps(node.params as PlanCallParams, start, (n) => be.runStep(n));
  } finally {
    be.recorder = null;
  }
  if (!r) { release?.(); return null; }
  const outs = r.outs.map((a) => a._data!);
  const made = r.made;
  handOver(outs, () => { for (const a of made) a._releaseData(); release?.(); });
  return outs;
}

/** The recording of a clean run, or null when it saw something a replay could not repeat. */
function finish(rc: Recorder, outs: readonly ArrayData[]): Recording | null {
  if (rc.failed !== null) return null;
  const recs: OutRec[] = [];
  for (const d of outs) {
    const s = rc.src.get(d.storage.handle as PooledBuffer);
    if (!s || s.k === 2) return null;
    recs.push({ inInput: s.k === 0, i: s.i, nbytes: d.storage.nbytes, offset: d.offset, strides: d.strides, contiguous: d.contiguous });
  }
  const [slot, slots] = memoryPlan(rc.allocs, rc.work, new Set(recs.filter((o) => !o.inInput).map((o) => o.i)));
  return { allocs: rc.allocs, work: rc.work, outs: recs, slot, slots, owned: null };
}

/**
 * Assigns the call's intermediate allocations to as few buffers as their lifetimes allow: an allocation takes a
 * free buffer of its size class (and kind: slab slot or whole buffer) once the previous tenant's last launch is
 * encoded before its first. Launches run in queue order, so the same buffers serve every call of the plan; the
 * launches then bind the same buffers each call and find their bind groups cached. Outputs get fresh memory.
 */
function memoryPlan(allocs: readonly number[], work: readonly (Launch | Copy)[], outputs: ReadonlySet<number>): [number[], number[]] {
  const first = allocs.map(() => -1), last = allocs.map(() => -1);
  const touch = (i: number, t: number): void => { if (first[i]! < 0) first[i] = t; last[i] = t; };
  work.forEach((w, t) => {
    if ('to' in w) { if (w.from.k === 1) touch(w.from.i, t); touch(w.to, t); return; }
    for (const b of w.binds) if (b.k === 1) touch(b.i, t);
  });
  const slot = allocs.map(() => -1);
  const slots: number[] = [];
  const freeAt = new Map<number, number[]>(); // launch index -> slots whose tenant ends there
  const free = new Map<number, number[]>(); // signed class size -> free slots
  const order = allocs.map((_, i) => i).filter((i) => !outputs.has(i) && first[i]! >= 0).sort((a, b) => first[a]! - first[b]! || a - b);
  let t = 0;
  const releaseUpTo = (limit: number): void => {
    for (; t < limit; t++) {
      for (const k of freeAt.get(t) ?? []) {
        const c = slots[k]!;
        let l = free.get(c);
        if (!l) free.set(c, (l = []));
        l.push(k);
      }
    }
  };
  for (const i of order) {
    // tenants whose last use came before this allocation's first use have left their buffer
    releaseUpTo(first[i]!);
    const bytes = allocs[i]!;
    const cls = bytes < 0 ? -sizeClass(-bytes) : sizeClass(bytes);
    const k = free.get(cls)?.pop() ?? slots.push(cls) - 1;
    slot[i] = k;
    let l = freeAt.get(last[i]!);
    if (!l) freeAt.set(last[i]!, (l = []));
    l.push(k);
  }
  return [slot, slots];
}

/** Buffers of the memory plans of recordings that were collected go back to their pool. */
const ownedBuffers = new FinalizationRegistry<{ pool: { free(b: PooledBuffer): void }; bufs: PooledBuffer[] }>((o) => {
  for (const b of o.bufs) o.pool.free(b);
});

/** The buffers of `rec`'s memory plan in `be`'s pool, made on first use (again after a device re-initialisation). */
function ownedSlots(be: WebGpuBackend, rec: Recording): PooledBuffer[] {
  if (rec.owned?.pool === be.pool) return rec.owned.bufs;
  const bufs = rec.slots.map((c) => (c < 0 ? be.pool.alloc(-c, true) : be.pool.alloc(c)));
  const owned = { pool: be.pool, bufs };
  rec.owned = owned;
  ownedBuffers.register(rec, owned);
  return bufs;
}

/** Encodes a recording on this call's buffers; the outputs' data. */
function replay(be: WebGpuBackend, rec: Recording, ins: readonly ArrayData[]): ArrayData[] {
  const bufs: PooledBuffer[] = [];
  const kept = new Map<number, Storage>();
  const fresh: number[] = [];
  try {
    const owned = ownedSlots(be, rec);
    for (let i = 0; i < rec.allocs.length; i++) {
      const k = rec.slot[i]!;
      if (k >= 0) { bufs.push(owned[k]!); continue; }
      const bytes = rec.allocs[i]!;
      const b = bytes < 0 ? be.pool.alloc(-bytes, true) : be.pool.alloc(bytes);
      bufs.push(b);
      fresh.push(i);
    }
    const inBufs = ins.map((d) => d.storage.handle as PooledBuffer);
    for (const l of rec.work) {
      if ('to' in l) { be.copyBuffer(l.from.k === 0 ? inBufs[l.from.i]! : bufs[l.from.i]!, bufs[l.to]!, l.bytes); continue; }
      const bs = new Array<PooledBuffer>(l.binds.length);
      for (let j = 0; j < bs.length; j++) {
        const b = l.binds[j]!;
        bs[j] = b.k === 0 ? inBufs[b.i]! : b.k === 1 ? bufs[b.i]! : be.paramWords(b.words);
      }
      be.dispatchMemo(l.code, bs, l.groups, l.memo);
    }
    const outs = rec.outs.map((o): ArrayData => {
      let storage: Storage;
      if (o.inInput) storage = ins[o.i]!.storage;
      else {
        storage = kept.get(o.i) ?? new Storage(be, bufs[o.i]!, o.nbytes);
        kept.set(o.i, storage);
      }
      return { storage, offset: o.offset, strides: o.strides, contiguous: o.contiguous };
    });
    be.stats.replays++;
    return outs;
  } finally {
    // fresh allocations that did not become outputs go back to the pool (the plan's own buffers stay with it)
    for (const i of fresh) if (!kept.has(i)) be.pool.free(bufs[i]!);
  }
}

const planCallKernel: GpuKernel = {
  ok: (node) => {
    // an input without data (disposed before evaluation) is reported by the scheduler's own check
    for (const x of node.inputs) if (!x._data) return false;
    let r = ran.get(node);
    if (r === undefined) ran.set(node, (r = execute(node, backendFor('gpu') as WebGpuBackend)));
    return r !== null;
  },
  run: (node) => {
    const r = ran.get(node);
    if (!r) throw new Error('[compile] Internal error: a compiled call ran without its steps.');
    ran.delete(node);
    return r;
  },
};

/** The GPU kernel of `planCall`. */
export const replayKernels: Record<string, GpuKernel> = { planCall: planCallKernel };
