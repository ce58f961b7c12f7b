/**
 * @file A small pool of worker threads over the kernels' shared WebAssembly memory. `parallelFor` runs one kernel
 * export over n chunks on this thread and the workers together and returns when all are done (the main thread
 * blocks in `Atomics.wait` meanwhile: the synchronous path). `parallelForAsync` posts the job to the workers only
 * and awaits it with `Atomics.waitAsync`, so the event loop keeps running (the path of `mx.eval`). One job owns
 * the control block at a time: async jobs queue behind each other, and a synchronous job that arrives while an
 * async one is in flight runs on this thread alone. There are as many workers as threads, so an async job still
 * uses every core. Small jobs (one chunk) never touch the workers. Workers start on first use and are unref'd,
 * so they never keep a process alive. Node only: elsewhere, or with `MLX_CPU_THREADS=1`, every chunk runs on the
 * calling thread.
 */
import { wasmRuntime, type WasmRuntime } from '../wasm/runtime.js';
import { ARGS_BYTE, COUNT, DONE, FN, IDLE, MAX_ARGS, NARGS, NEXT, READY, SEQ, claimChunks } from './protocol.js';


// ES2024 (Node >= 16); the project's lib is ES2022
interface AtomicsWaitAsync {
  waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string };
}
interface NodeWorker { unref(): void; on(ev: string, f: (e: unknown) => void): void }
interface NodeProcess {
  env: Record<string, string | undefined>;
  getBuiltinModule?(n: string): unknown;
}

function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

/** Threads to use: `MLX_CPU_THREADS`, else the machine's parallelism (at most 8). */
export function threadCount(): number {
  const p = nodeProcess();
  const env = Number(p?.env.MLX_CPU_THREADS);
  if (env >= 1) return Math.floor(env);
  const os = p?.getBuiltinModule?.('node:os') as { availableParallelism?(): number; cpus(): unknown[] } | undefined;
  if (!os) return 1;
  return Math.max(1, Math.min(8, os.availableParallelism ? os.availableParallelism() : os.cpus().length));
}

class Pool {
  readonly ctl: Int32Array;
  readonly args: Float64Array;
  // jobs name a kernel by its index among the instance's exports, which is the same order on every thread
  readonly names: string[];
  #started = false;
  #failed: unknown = null;
  workers = 0;
  // the async job that owns the control block, and the tail of the queue of async jobs
  #busy = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(readonly rt: WasmRuntime) {
    this.ctl = new Int32Array(rt.memory.buffer, 0, 64);
    this.args = new Float64Array(rt.memory.buffer, ARGS_BYTE, MAX_ARGS);
    this.names = Object.keys(rt.fns);
    Atomics.store(this.ctl, NEXT, IDLE);
  }

  #start(): void {
    this.#started = true;
    // one worker per thread: an async job leaves the main thread out, a sync one adds it
    const t = threadCount();
    const n = t > 1 ? t : 0;
    const wt = nodeProcess()?.getBuiltinModule?.('node:worker_threads') as
      | { Worker: new (u: URL, o: object) => NodeWorker } | undefined;
    if (n < 1 || !wt) return;
    for (let i = 0; i < n; i++) {
      try {
        const w = new wt.Worker(new URL('./worker.js', import.meta.url), {
          workerData: { module: this.rt.module, memory: this.rt.memory },
        });
        w.on('error', (e) => { this.#failed = e; });
        w.unref();
        this.workers++;
      } catch (e) {
        this.#failed = e;
        break;
      }
    }
  }

  /** Workers that have started and wait for jobs. */
  ready(): number {
    return Atomics.load(this.ctl, READY);
  }

  parallel(fn: string, chunks: number, args: readonly number[]): void {
    const f = this.rt.fns[fn]!;
    if (!this.#started) this.#start();
    if (chunks <= 1 || this.ready() === 0 || this.#failed || this.#busy) {
      for (let c = 0; c < chunks; c++) f(c, ...args);
      return;
    }
    this.#post(fn, chunks, args);
    const ctl = this.ctl;
    claimChunks(ctl, this.args, this.rt.fns, this.names);
    for (let spin = 0; ; spin++) {
      const d = Atomics.load(ctl, DONE);
      if (d >= chunks) break;
      if (spin > 1000) Atomics.wait(ctl, DONE, d, 50);
      if (this.#failed) throw new Error(`[pool] a worker failed: ${String(this.#failed)}`);
    }
    Atomics.store(ctl, NEXT, IDLE);
  }

  /** Writes a job into the control block and wakes the workers. */
  #post(fn: string, chunks: number, args: readonly number[]): void {
    const id = this.names.indexOf(fn);
    if (id < 0 || args.length > MAX_ARGS) throw new Error(`[pool] cannot run ${fn}`);
    const ctl = this.ctl;
    for (let i = 0; i < args.length; i++) this.args[i] = args[i]!;
    ctl[NARGS] = args.length;
    ctl[FN] = id;
    Atomics.store(ctl, COUNT, chunks);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, NEXT, 0);
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ);
  }

  /** Like `parallel`, but the workers alone run the chunks while this thread awaits (its event loop stays free). */
  parallelAsync(fn: string, chunks: number, args: readonly number[]): Promise<void> {
    const job = this.#queue.then(() => this.#runAsync(fn, chunks, args));
    this.#queue = job.catch(() => undefined);
    return job;
  }

  async #runAsync(fn: string, chunks: number, args: readonly number[]): Promise<void> {
    if (!this.#started) this.#start();
    if (chunks <= 1 || this.ready() === 0 || this.#failed) {
      this.parallel(fn, chunks, args);
      return;
    }
    this.#busy = true;
    const ctl = this.ctl;
    // a pending Atomics.waitAsync does not keep Node alive: a timer does, while the job runs
    const alive = setInterval(() => undefined, 1 << 30);
    try {
      this.#post(fn, chunks, args);
      for (;;) {
        const d = Atomics.load(ctl, DONE);
        if (d >= chunks) break;
        if (this.#failed) throw new Error(`[pool] a worker failed: ${String(this.#failed)}`);
        // the last chunk's finisher notifies DONE; the timeout only bounds how late a worker failure is seen
        const w = (Atomics as unknown as AtomicsWaitAsync).waitAsync(ctl, DONE, d, 100);
        if (w.async) await w.value;
      }
    } finally {
      clearInterval(alive);
      Atomics.store(ctl, NEXT, IDLE);
      this.#busy = false;
    }
  }
}

let pool: Pool | null | undefined;

/** Runs `fn(chunk, ...args)` for every chunk < `chunks`, split over the pool's threads when it is worth it. */
export function parallelFor(fn: string, chunks: number, args: readonly number[]): void {
  if (pool === undefined) {
    const rt = wasmRuntime();
    pool = rt ? new Pool(rt) : null;
  }
  if (!pool) throw new Error('[pool] no WebAssembly runtime');
  pool.parallel(fn, chunks, args);
}

/**
 * Runs `fn(chunk, ...args)` for every chunk < `chunks` on the workers while the caller's event loop keeps running;
 * resolves when all are done. Where there are no workers it runs them here, synchronously, and resolves.
 */
export function parallelForAsync(fn: string, chunks: number, args: readonly number[]): Promise<void> {
  if (pool === undefined) {
    const rt = wasmRuntime();
    pool = rt ? new Pool(rt) : null;
  }
  if (!pool) return Promise.reject(new Error('[pool] no WebAssembly runtime'));
  return pool.parallelAsync(fn, chunks, args);
}

/** Starts the workers now (they take a few milliseconds to come up); returns how many are ready so far. */
export function warmPool(): number {
  if (!wasmRuntime()) return 0;
  parallelFor('noop', 0, []);
  return pool ? pool.ready() : 0;
}
