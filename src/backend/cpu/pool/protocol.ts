/**
 * @file The control block the main thread and the pool's workers share at address 0 of the WebAssembly memory.
 * A job is one kernel export run over `n` chunks; every participant claims chunks with an atomic counter until
 * none are left, so a busy or not-yet-started worker only means the others do more.
 */

/** Int32 slots of the control block. */
export const SEQ = 0, NEXT = 1, COUNT = 2, DONE = 3, FN = 4, NARGS = 5, READY = 6, STOP = 7;
/** Byte offset and capacity of the float64 argument slots. */
export const ARGS_BYTE = 256, MAX_ARGS = 24;
/** NEXT between jobs: every claim fails until the next job resets it to 0. */
export const IDLE = 1 << 30;

/** Runs the chunks a participant can claim of the job in the control block; returns how many it ran. */
export function claimChunks(ctl: Int32Array, args: Float64Array, fns: Record<string, (...a: number[]) => void>, names: readonly string[]): number {
  let ran = 0;
  const call: number[] = [];
  for (;;) {
    const c = Atomics.add(ctl, NEXT, 1);
    const n = Atomics.load(ctl, COUNT);
    if (c >= n) return ran;
    // the job's arguments are stable while any of its chunks is unfinished
    const na = ctl[NARGS]!;
    call.length = 0;
    call.push(c);
    for (let i = 0; i < na; i++) call.push(args[i]!);
    fns[names[ctl[FN]!]!]!(...call);
    ran++;
    if (Atomics.add(ctl, DONE, 1) + 1 === n) Atomics.notify(ctl, DONE);
  }
}
