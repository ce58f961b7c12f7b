/**
 * @file The 14 MLX dtypes, their categories and the type-promotion lattice (JAX's rules, which MLX follows),
 * plus the weak-scalar rule for plain JS numbers and booleans.
 */

/** Kind letter, as in NumPy: b(ool), u(nsigned), i(nteger), f(loat), V (bfloat16, as MLX reports it), c(omplex). */
export type DtypeKind = 'b' | 'u' | 'i' | 'f' | 'V' | 'c';

/** Names of the dtypes, in MLX's spelling (`bool` is MLX's `bool_`). */
export type DtypeName =
  | 'bool' | 'uint8' | 'uint16' | 'uint32' | 'uint64'
  | 'int8' | 'int16' | 'int32' | 'int64'
  | 'float16' | 'bfloat16' | 'float32' | 'float64' | 'complex64';

/**
 * An array element type. Instances are singletons: compare with `===`.
 *
 * @example
 * ```ts
 * mx.array([1, 2], mx.float16).dtype === mx.float16; // true
 * mx.float16.size; // 2
 * ```
 */
export class Dtype {
  /** @internal */
  constructor(
    /** MLX name, e.g. `"float32"`. */
    readonly name: DtypeName,
    /** Bytes per element. */
    readonly size: number,
    /** NumPy-style kind letter. */
    readonly kind: DtypeKind,
    /** Position in the promotion tables (MLX's enum order). */
    readonly index: number,
  ) {}
  /** Same as `size` (NumPy's spelling). */
  get itemsize(): number { return this.size; }
  toString(): string { return `mlx.core.${this.name}`; }
}

export const bool = new Dtype('bool', 1, 'b', 0);
export const uint8 = new Dtype('uint8', 1, 'u', 1);
export const uint16 = new Dtype('uint16', 2, 'u', 2);
export const uint32 = new Dtype('uint32', 4, 'u', 3);
export const uint64 = new Dtype('uint64', 8, 'u', 4);
export const int8 = new Dtype('int8', 1, 'i', 5);
export const int16 = new Dtype('int16', 2, 'i', 6);
export const int32 = new Dtype('int32', 4, 'i', 7);
export const int64 = new Dtype('int64', 8, 'i', 8);
export const float16 = new Dtype('float16', 2, 'f', 9);
export const float32 = new Dtype('float32', 4, 'f', 10);
export const float64 = new Dtype('float64', 8, 'f', 11);
export const bfloat16 = new Dtype('bfloat16', 2, 'V', 12);
export const complex64 = new Dtype('complex64', 8, 'c', 13);

/** Every dtype, in MLX's enum order. */
export const ALL_DTYPES: readonly Dtype[] = [
  bool, uint8, uint16, uint32, uint64, int8, int16, int32, int64, float16, float32, float64, bfloat16, complex64,
];

const BY_NAME = new Map<string, Dtype>(ALL_DTYPES.map((d) => [d.name, d]));
BY_NAME.set('bool_', bool);

/** Something that names a dtype: the object or its name. */
export type DtypeLike = Dtype | DtypeName | 'bool_';

/** Resolves a dtype or its name; throws naming the bad value. */
export function toDtype(d: DtypeLike, op = 'dtype'): Dtype {
  if (d instanceof Dtype) return d;
  const r = typeof d === 'string' ? BY_NAME.get(d) : undefined;
  if (!r) throw new TypeError(`[${op}] Unknown dtype ${JSON.stringify(d)}.`);
  return r;
}

export const isFloating = (d: Dtype): boolean => d.kind === 'f' || d.kind === 'V';
export const isComplex = (d: Dtype): boolean => d.kind === 'c';
export const isInexact = (d: Dtype): boolean => isFloating(d) || isComplex(d);
export const isInteger = (d: Dtype): boolean => d.kind === 'i' || d.kind === 'u';
export const isUnsigned = (d: Dtype): boolean => d.kind === 'u';
export const isSignedInt = (d: Dtype): boolean => d.kind === 'i';
export const is64BitInt = (d: Dtype): boolean => d === int64 || d === uint64;

// The promotion lattice (JAX's, which MLX's table follows): each type's immediate supertypes.
// uint64 joined with a signed int has both half floats above it, so it lands on float32 as in MLX's table.
const PARENTS: Record<DtypeName, DtypeName[]> = {
  bool: ['uint8', 'int8'],
  uint8: ['uint16', 'int16'],
  uint16: ['uint32', 'int32'],
  uint32: ['uint64', 'int64'],
  uint64: ['float16', 'bfloat16'],
  int8: ['int16'],
  int16: ['int32'],
  int32: ['int64'],
  int64: ['float16', 'bfloat16'],
  float16: ['float32'],
  bfloat16: ['float32'],
  float32: ['float64', 'complex64'],
  float64: ['complex64'],
  complex64: [],
};

function upperSet(d: DtypeName): Set<DtypeName> {
  const out = new Set<DtypeName>([d]);
  const stack = [d];
  while (stack.length) for (const p of PARENTS[stack.pop()!]) if (!out.has(p)) { out.add(p); stack.push(p); }
  return out;
}

const PROMOTE: Dtype[][] = ALL_DTYPES.map((a) => ALL_DTYPES.map((b) => {
  const ua = upperSet(a.name), ub = upperSet(b.name);
  const common = [...ua].filter((x) => ub.has(x));
  // the least upper bound: the common supertype that all other common supertypes sit above
  const lub = common.find((c) => common.every((o) => upperSet(c).has(o)));
  // Mixed-sign 64-bit integers meet only at both half floats, which have no least element: JAX's weak float,
  // i.e. float32, as MLX's table gives.
  return lub ? BY_NAME.get(lub)! : float32;
}));

/**
 * The dtype two dtypes promote to, as in MLX (`mx.promote_types`).
 *
 * @example
 * ```ts
 * promoteTypes(mx.int32, mx.float16); // mx.float16
 * promoteTypes(mx.float16, mx.bfloat16); // mx.float32
 * ```
 */
export function promoteTypes(a: Dtype, b: Dtype): Dtype {
  return PROMOTE[a.index]![b.index]!;
}

/** A JS scalar or anything with a dtype: the inputs of `resultType`. */
export type Typed = { dtype: Dtype } | number | boolean | bigint;

/**
 * The dtype of an op over arrays and JS scalars. Scalars are weakly typed (as Python scalars in MLX): an integral
 * number keeps an integer array's dtype, a fractional one turns integers into float32 and keeps float dtypes.
 *
 * @example
 * ```ts
 * resultType(mx.array([1], mx.float16), 2.5); // mx.float16
 * resultType(mx.array([1], mx.int8), 3);      // mx.int8
 * ```
 */
export function resultType(...xs: Typed[]): Dtype {
  let strong: Dtype | null = null;
  let weak: Dtype | null = null;
  for (const x of xs) {
    if (typeof x === 'object') strong = strong ? promoteTypes(strong, x.dtype) : x.dtype;
    else {
      const w = scalarDtype(x);
      weak = weak ? promoteTypes(weak, w) : w;
    }
  }
  if (!strong) return weak ?? float32;
  if (!weak) return strong;
  if (weak === bool) return strong;
  if (weak.kind === 'i') return strong === bool ? int32 : strong;
  // a float scalar
  return isInexact(strong) ? strong : float32;
}

/** The dtype a lone JS scalar gets: booleans bool, integral numbers and bigints int32, others float32. */
export function scalarDtype(x: number | boolean | bigint): Dtype {
  if (typeof x === 'boolean') return bool;
  if (typeof x === 'bigint') return int64;
  return Number.isInteger(x) ? int32 : float32;
}

/** Floating dtype an op that needs one computes in: floats keep theirs, everything else becomes float32. */
export function atLeastFloat(d: Dtype): Dtype {
  return isInexact(d) ? d : float32;
}

/** The category objects of `mx.issubdtype`. */
export type DtypeCategory =
  | 'generic' | 'number' | 'integer' | 'signedinteger' | 'unsignedinteger' | 'inexact' | 'floating' | 'complexfloating';

/**
 * Whether a dtype belongs to a dtype or category (MLX's `issubdtype`).
 *
 * @example
 * ```ts
 * mx.issubdtype(mx.int8, 'integer'); // true
 * ```
 */
export function issubdtype(a: Dtype | DtypeCategory, b: Dtype | DtypeCategory): boolean {
  if (typeof a === 'string') {
    if (typeof b !== 'string') return false;
    return categoryParents(a).includes(b);
  }
  if (typeof b !== 'string') return a === b;
  return categoryParents(categoryOf(a)).includes(b);
}

function categoryOf(d: Dtype): DtypeCategory {
  switch (d.kind) {
    case 'b': return 'generic';
    case 'u': return 'unsignedinteger';
    case 'i': return 'signedinteger';
    case 'f': case 'V': return 'floating';
    case 'c': return 'complexfloating';
  }
}

function categoryParents(c: DtypeCategory): DtypeCategory[] {
  switch (c) {
    case 'generic': return ['generic'];
    case 'number': return ['number', 'generic'];
    case 'integer': case 'inexact': return [c, 'number', 'generic'];
    case 'signedinteger': case 'unsignedinteger': return [c, 'integer', 'number', 'generic'];
    case 'floating': case 'complexfloating': return [c, 'inexact', 'number', 'generic'];
  }
}

/** Machine limits of a floating dtype (MLX's `finfo`). */
export interface FInfo { dtype: Dtype; min: number; max: number; eps: number; }
/** Limits of an integer dtype (MLX's `iinfo`). 64-bit limits are bigints. */
export interface IInfo { dtype: Dtype; min: number | bigint; max: number | bigint; }

/**
 * Limits of a floating dtype.
 *
 * @example
 * ```ts
 * mx.finfo(mx.float16).max; // 65504
 * ```
 */
export function finfo(d: DtypeLike): FInfo {
  const t = toDtype(d, 'finfo');
  const table: Partial<Record<DtypeName, [number, number]>> = {
    float16: [65504, 2 ** -10],
    bfloat16: [3.3895313892515355e38, 2 ** -7],
    float32: [3.4028234663852886e38, 2 ** -23],
    float64: [Number.MAX_VALUE, Number.EPSILON],
    complex64: [3.4028234663852886e38, 2 ** -23],
  };
  const r = table[t.name];
  if (!r) throw new TypeError(`[finfo] ${t.name} is not inexact.`);
  return { dtype: t, min: -r[0], max: r[0], eps: r[1] };
}

/**
 * Limits of an integer dtype.
 *
 * @example
 * ```ts
 * mx.iinfo(mx.int8).min; // -128
 * ```
 */
export function iinfo(d: DtypeLike): IInfo {
  const t = toDtype(d, 'iinfo');
  if (!isInteger(t)) throw new TypeError(`[iinfo] ${t.name} is not an integer type.`);
  const bits = t.size * 8;
  if (bits === 64) {
    return t === uint64 ? { dtype: t, min: 0n, max: 2n ** 64n - 1n } : { dtype: t, min: -(2n ** 63n), max: 2n ** 63n - 1n };
  }
  return isUnsigned(t) ? { dtype: t, min: 0, max: 2 ** bits - 1 } : { dtype: t, min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 };
}

/**
 * Whether a value of `from` converts to `to` without loss under the promotion rules (`promoteTypes(from, to) === to`).
 *
 * @example
 * ```ts
 * mx.canCast(mx.int8, mx.int32); // true
 * mx.canCast(mx.float32, mx.int32); // false
 * ```
 */
export function canCast(from: DtypeLike, to: DtypeLike): boolean {
  const f = toDtype(from, 'can_cast'), t = toDtype(to, 'can_cast');
  return promoteTypes(f, t) === t;
}

/** Array-API kind names accepted by `isdtype`. */
export type DtypeKindName =
  | 'bool' | 'signed integer' | 'unsigned integer' | 'integral' | 'real floating' | 'complex floating' | 'numeric';

/**
 * Whether a dtype is of a kind (Array API `isdtype`): a dtype, a kind name, or a list of either.
 *
 * @example
 * ```ts
 * mx.isdtype(mx.float16, 'real floating'); // true
 * mx.isdtype(mx.int8, ['bool', 'integral']); // true
 * ```
 */
export function isdtype(d: Dtype, kind: Dtype | DtypeKindName | readonly (Dtype | DtypeKindName)[]): boolean {
  if (Array.isArray(kind)) return kind.some((k) => isdtype(d, k));
  if (kind instanceof Dtype) return d === kind;
  switch (kind) {
    case 'bool': return d === bool;
    case 'signed integer': return d.kind === 'i';
    case 'unsigned integer': return d.kind === 'u';
    case 'integral': return isInteger(d);
    case 'real floating': return isFloating(d);
    case 'complex floating': return isComplex(d);
    case 'numeric': return d !== bool;
    default: throw new TypeError(`[isdtype] Unknown kind ${JSON.stringify(kind)}.`);
  }
}
