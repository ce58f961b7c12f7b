/**
 * @file A pool worker (Node `worker_threads`): instantiates the kernels on the shared memory it is given, then
 * waits for jobs in the control block and claims chunks of each (see protocol.ts).
 */
import { ARGS_BYTE, MAX_ARGS, READY, SEQ, STOP, claimChunks } from './protocol.js';

interface WorkerThreads { workerData: { module: object; memory: { buffer: SharedArrayBuffer } } }
const wt = (globalThis as unknown as { process: { getBuiltinModule(n: string): unknown } }).process
  .getBuiltinModule('node:worker_threads') as WorkerThreads;
const { module, memory } = wt.workerData;
const WA = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: object } } }).WebAssembly;
const inst = new WA.Instance(module, { env: { memory, abort: () => { throw new Error('wasm abort'); } } });
const fns = inst.exports as Record<string, (...a: number[]) => void>;
const names = Object.keys(fns);
const ctl = new Int32Array(memory.buffer, 0, 64);
const args = new Float64Array(memory.buffer, ARGS_BYTE, MAX_ARGS);
let seen = Atomics.load(ctl, SEQ);
Atomics.add(ctl, READY, 1);
for (;;) {
  Atomics.wait(ctl, SEQ, seen);
  if (Atomics.load(ctl, STOP)) break;
  seen = Atomics.load(ctl, SEQ);
  claimChunks(ctl, args, fns, names);
}
