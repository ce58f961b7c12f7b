/**
 * @file A small pool of worker threads over the kernels' shared WebAssembly memory. `parallel` runs one kernel
 * export over n chunks on this thread and the workers together and returns when all are done: the main thread
 * blocks in `Atomics.wait` meanwhile (a first step; the backend's `run` is synchronous, so the evaluation of one
 * large kernel holds the event loop for its duration). Small jobs (one chunk) never touch the workers. Workers
 * start on first use and are unref'd, so they never keep a process alive. Node only: elsewhere, or with
 * `MLX_CPU_THREADS=1`, every chunk runs on the calling thread.
 */
import { wasmRuntime, type WasmRuntime } from '../wasm/runtime.js';
import { ARGS_BYTE, COUNT, DONE, FN, IDLE, MAX_ARGS, NARGS, NEXT, READY, SEQ, claimChunks } from './protocol.js';


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

  constructor(readonly rt: WasmRuntime) {
    this.ctl = new Int32Array(rt.memory.buffer, 0, 64);
    this.args = new Float64Array(rt.memory.buffer, ARGS_BYTE, MAX_ARGS);
    this.names = Object.keys(rt.fns);
    Atomics.store(this.ctl, NEXT, IDLE);
  }

  #start(): void {
    this.#started = true;
    const n = threadCount() - 1;
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
    if (chunks <= 1 || this.ready() === 0 || this.#failed) {
      for (let c = 0; c < chunks; c++) f(c, ...args);
      return;
    }
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
    claimChunks(ctl, this.args, this.rt.fns, this.names);
    for (let spin = 0; ; spin++) {
      const d = Atomics.load(ctl, DONE);
      if (d >= chunks) break;
      if (spin > 1000) Atomics.wait(ctl, DONE, d, 50);
      if (this.#failed) throw new Error(`[pool] a worker failed: ${String(this.#failed)}`);
    }
    Atomics.store(ctl, NEXT, IDLE);
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

/** Starts the workers now (they take a few milliseconds to come up); returns how many are ready so far. */
export function warmPool(): number {
  if (!wasmRuntime()) return 0;
  parallelFor('noop', 0, []);
  return pool ? pool.ready() : 0;
}
