/**
 * @file The primitive contract. A primitive is a name plus its params type plus its rules (output shapes and
 * dtypes now; vjp, jvp and vmap as the transforms land). Each family file under `core/primitives/` adds its names
 * to `PrimitiveParams` by declaration merging and registers its definitions with `definePrimitives`, so a new
 * primitive touches its family file and one kernel table per backend; `tsc` reports a backend table that lacks it.
 */
import type { Dtype } from './dtype.js';
import type { MxArray } from './array.js';
import type { Stream } from './device.js';

/**
 * Map from primitive name to its params object. Family files extend it:
 * ```ts
 * declare module '../primitive.js' { interface PrimitiveParams { exp: {} } }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface PrimitiveParams {}

/** The name of any primitive. */
export type PrimitiveName = keyof PrimitiveParams;

/** Shape and dtype of one output. */
export interface OutSpec {
  shape: number[];
  dtype: Dtype;
}

/**
 * The rules of one primitive. `outputs` infers output shapes and dtypes from input arrays and params; ops have
 * already validated arguments, so it does no checking of its own.
 */
export interface PrimitiveDef<P extends PrimitiveName = PrimitiveName> {
  outputs(inputs: readonly MxArray[], params: PrimitiveParams[P]): OutSpec[];
  /**
   * Reverse mode: cotangents of the inputs (null where an input gets none, e.g. integer indices) from the
   * cotangents of every output. `outputs` are the forward results, for rules that reuse them (exp, sqrt).
   */
  vjp(primals: MxArray[], cotangents: MxArray[], outputs: MxArray[], params: PrimitiveParams[P], stream: Stream): (MxArray | null)[];
  /** Forward mode: tangents of every output from the tangents of the inputs (null = zero tangent). */
  jvp(primals: MxArray[], tangents: (MxArray | null)[], outputs: MxArray[], params: PrimitiveParams[P], stream: Stream): MxArray[];
  /**
   * Batching: the outputs for inputs that carry a batch axis at `axes[i]` (null = not batched), and the batch axis
   * of each output.
   */
  vmap(inputs: MxArray[], axes: (number | null)[], params: PrimitiveParams[P], stream: Stream): [MxArray[], (number | null)[]];
}

/** A table of rules for some primitives, keyed by name; family files export one of these. */
export type PrimitiveTable<K extends PrimitiveName> = { [N in K]: PrimitiveDef<N> };

const registry = new Map<string, PrimitiveDef<never>>();

/** Registers a family's rules (called once per family file at import). */
export function definePrimitives<K extends PrimitiveName>(table: PrimitiveTable<K>): void {
  for (const [name, def] of Object.entries(table)) {
    if (registry.has(name)) throw new Error(`[definePrimitives] Primitive "${name}" is defined twice.`);
    registry.set(name, def as PrimitiveDef<never>);
  }
}

/** The rules of a primitive; throws if it was never defined. */
export function primitiveDef<P extends PrimitiveName>(name: P): PrimitiveDef<P> {
  const d = registry.get(name);
  if (!d) throw new Error(`[primitive] Unknown primitive "${String(name)}".`);
  return d as unknown as PrimitiveDef<P>;
}

/** Names of every registered primitive (for coverage tests). */
export function primitiveNames(): string[] {
  return [...registry.keys()];
}

/** Output rule helper: one output with the given shape and dtype. */
export function single(shape: readonly number[], dtype: Dtype): OutSpec[] {
  return [{ shape: shape as number[], dtype }];
}
