/**
 * @file `mx.random.state`: the implicit global key that keyless samplers split and advance, as a one-element
 * container so that `mx.compile(fn, { inputs: [mx.random.state], outputs: [mx.random.state] })` can feed the key
 * into a trace and write the advanced key back after each call, as in MLX.
 *
 * Two representations, so keyless draws outside compile stay as cheap as before: while the key is "host-backed"
 * its words live in JS and a draw splits them on the host (no graph chain grows, no device work). Once something
 * stores another array in the container (compile's placeholders while tracing, then the advanced key a compiled
 * call returns), draws split that array with the `randomBits` primitive, which computes the same Threefry words,
 * so the sequence of numbers does not depend on which representation produced it. `seed` goes back to host words.
 */
import { MxArray, bind, isArray } from '../array.js';
import * as dt from '../dtype.js';
import { defaultStream, type Device, type Stream } from '../device.js';
import { fromValues } from '../construct.js';
import { keep } from '../memory.js';
import { fmtShape } from '../shape.js';
import '../primitives/random.js';
import { splitKeyHost } from './random-math.js';

/** The global key's words while host-backed. */
let words: [number, number] = seedWords(Date.now());
/** The array handed out for `words` (made on demand, remade after a dispose or on another default device). */
let hostArr: MxArray | null = null;
let hostDev: Device | null = null;
/** The key as an array when it is not host-backed, else null. */
let cur: MxArray | null = null;

/** @internal A seed's uint64 bit pattern as two words, high first. */
export function seedWords(s: number | bigint): [number, number] {
  if (typeof s === 'bigint') {
    const u = BigInt.asUintN(64, s);
    return [Number(u >> 32n), Number(u & 0xffffffffn)];
  }
  if (typeof s !== 'number' || !Number.isInteger(s)) throw new TypeError(`[seed] Seed must be an integer, got ${String(s)}.`);
  // a JS integer's uint64 bit pattern (negative seeds wrap, as in C)
  return seedWords(BigInt(s));
}

/** @internal Sets the global key words (host-backed again). */
export function setState(s: [number, number]): void {
  words = s;
  hostArr = null;
  cur = null;
}

function hostKey(): MxArray {
  const dev = defaultStream().device;
  if (hostArr === null || hostArr.isDisposed || hostDev === null || !hostDev.equals(dev)) {
    hostArr = fromValues(new Uint32Array(words), dt.uint32, [2], dev);
    hostDev = dev;
  }
  return hostArr;
}

function currentKey(): MxArray {
  if (cur === null) return hostKey();
  if (cur.isDisposed) {
    throw new Error('[random] The key in mx.random.state was disposed (an enclosing mx.tidy scope freed it): return '
      + 'mx.random.state from the scope or mx.keep it, or call mx.random.seed.');
  }
  return cur;
}

function setKey(v: unknown): void {
  if (v === hostArr && hostArr !== null) { cur = null; return; }
  if (!isArray(v)) throw new TypeError(`[random] mx.random.state[0] must be a key array, got ${typeof v}.`);
  if (v.dtype !== dt.uint32 || v.ndim !== 1 || v.shape[0] !== 2) {
    throw new TypeError(`[random] mx.random.state[0] must be a uint32 key of shape (2), got ${v.dtype.name} ${fmtShape(v.shape)}.`);
  }
  // the key outlives the tidy scope it was made in, like the host words it stands for (a training loop's scope
  // would otherwise free the key a compiled step wrote back)
  keep(v);
  cur = v;
}

/**
 * The implicit global PRNG key of `mx.random`, as MLX's `mx.random.state`: a one-element list whose entry 0 is the
 * current key (uint32, shape [2]). Every sampler called without `key` splits it, keeps one half here and draws
 * from the other; `mx.random.seed` resets it. Assigning a key array to `state[0]` makes later keyless draws
 * continue from that key.
 *
 * Inside `mx.compile`, a keyless draw reads this key like any other array the function did not get as an argument:
 * unless the state is passed as implicit state, the trace captures the key it split as a constant and every call
 * returns the same numbers (as in MLX, without a warning). Pass it as both input and output to draw fresh numbers
 * on every call; the compiled calls then give the same numbers as the same calls run uncompiled from the same seed.
 *
 * @example
 * ```ts
 * const noisy = mx.compile((x: mx.MxArray) => x.add(mx.random.normal(x.shape)), {
 *   inputs: [mx.random.state], outputs: [mx.random.state],
 * });
 * mx.random.seed(0);
 * const a = noisy(x), b = noisy(x); // different noise, as uncompiled
 * ```
 */
export const state: MxArray[] = [];
Object.defineProperty(state, 0, { enumerable: true, configurable: false, get: currentKey, set: setKey });
Object.preventExtensions(state);

/** @internal Splits the global key: keeps one half, returns the other as a key array on `stream`'s device. */
export function nextKey(stream: Stream): MxArray {
  if (cur === null) {
    const [kept, use] = splitKeyHost(words[0], words[1]);
    words = kept;
    hostArr = null;
    return fromValues(new Uint32Array(use), dt.uint32, [2], stream.device);
  }
  const keys = bind('randomBits', [currentKey()], { shape: [2, 2], width: 4 }, stream);
  setKey(keys.index(0, { stream }));
  return keys.index(1, { stream });
}
