/**
 * @file Array methods of the layout family (`a.reshape`, `a.T`, ...), attached to `MxArray.prototype`.
 */
import { MxArray } from '../array.js';
import type { StreamOpt } from '../device.js';
import { isOptions } from './args.js';
import { reshape, flatten, squeeze, expandDims, transpose, swapaxes, moveaxis, type PosArgs } from './layout.js';
import { split } from './layout-join.js';
import { diagonal, diag } from './layout-misc.js';

declare module '../array.js' {
  interface MxArray {
    /** New shape of the same size: `a.reshape(2, -1)` or `a.reshape([2, -1])`. @see reshape */
    reshape(...shape: (number | StreamOpt)[]): MxArray;
    reshape(shape: readonly number[], opts?: StreamOpt): MxArray;
    /** Merges axes `startAxis..endAxis`. @see flatten */
    flatten(...args: PosArgs<[startAxis: number, endAxis: number], { startAxis?: number; endAxis?: number } & StreamOpt>): MxArray;
    /** Removes size-1 axes. @see squeeze */
    squeeze(axis?: number | readonly number[] | null, opts?: StreamOpt): MxArray;
    /** Inserts size-1 axes. @see expandDims */
    expandDims(axis: number | readonly number[], opts?: StreamOpt): MxArray;
    /** Permutes axes: `a.transpose(1, 0)` or `a.transpose([1, 0])`; reverses them with no argument. @see transpose */
    transpose(...axes: (number | StreamOpt)[]): MxArray;
    transpose(axes: readonly number[] | null, opts?: StreamOpt): MxArray;
    /** Swaps two axes. @see swapaxes */
    swapaxes(axis1: number, axis2: number, opts?: StreamOpt): MxArray;
    /** Moves one axis. @see moveaxis */
    moveaxis(source: number, destination: number, opts?: StreamOpt): MxArray;
    /** Splits into pieces along an axis. @see split */
    split(indicesOrSections: number | readonly number[], axis?: number, opts?: StreamOpt): MxArray[];
    /** A diagonal as the last axis. @see diagonal */
    diagonal(...args: PosArgs<[offset: number, axis1: number, axis2: number], { offset?: number; axis1?: number; axis2?: number } & StreamOpt>): MxArray;
    /** Diagonal matrix (1-D) or diagonal (2-D). @see diag */
    diag(k?: number, opts?: StreamOpt): MxArray;
    /** The transpose (axes reversed). */
    readonly T: MxArray;
  }
}

/** Splits `(...ints, opts?)` or `(list, opts?)` into the list and the options. */
function listArgs(args: unknown[]): [number[] | null, StreamOpt] {
  let opts: StreamOpt = {};
  const a = [...args];
  if (a.length > 0 && isOptions(a[a.length - 1])) opts = a.pop() as StreamOpt;
  if (a.length === 1 && (Array.isArray(a[0]) || a[0] === null)) return [a[0] as number[] | null, opts];
  return [a as number[], opts];
}

MxArray.prototype.reshape = function (this: MxArray, ...args: unknown[]) {
  const [shape, opts] = listArgs(args);
  return reshape(this, shape ?? [], opts);
} as MxArray['reshape'];
MxArray.prototype.flatten = function (this: MxArray, ...args: unknown[]) {
  return flatten(this, ...(args as []));
} as MxArray['flatten'];
MxArray.prototype.squeeze = function (this: MxArray, ...args: unknown[]) { return squeeze(this, ...(args as [])); } as MxArray['squeeze'];
MxArray.prototype.expandDims = function (this: MxArray, axis: number | readonly number[], opts?: StreamOpt) {
  return expandDims(this, axis, opts);
};
MxArray.prototype.transpose = function (this: MxArray, ...args: unknown[]) {
  const [axes, opts] = listArgs(args);
  return transpose(this, axes === null || axes.length === 0 ? null : axes, opts);
} as MxArray['transpose'];
MxArray.prototype.swapaxes = function (this: MxArray, a1: number, a2: number, opts?: StreamOpt) { return swapaxes(this, a1, a2, opts); };
MxArray.prototype.moveaxis = function (this: MxArray, s: number, d: number, opts?: StreamOpt) { return moveaxis(this, s, d, opts); };
MxArray.prototype.split = function (this: MxArray, ios: number | readonly number[], ...rest: unknown[]) {
  return split(this, ios, ...(rest as []));
} as MxArray['split'];
MxArray.prototype.diagonal = function (this: MxArray, ...rest: unknown[]) { return diagonal(this, ...(rest as [])); } as MxArray['diagonal'];
MxArray.prototype.diag = function (this: MxArray, ...rest: unknown[]) { return diag(this, ...(rest as [])); } as MxArray['diag'];
Object.defineProperty(MxArray.prototype, 'T', {
  get(this: MxArray) { return transpose(this); },
  configurable: true,
});
