/**
 * @file Selection for topk: moves the k largest elements of a lane to its end (in no particular order) with an
 * iterative quickselect, in expected linear time. NaN counts as the largest value, as in NumPy's ordering.
 */

type Lane = Float64Array | BigInt64Array;

// a total order with NaN greatest; bigints never hold NaN
const gt = (a: number | bigint, b: number | bigint): boolean => a > b || (a !== a && b === b);

/**
 * Rearranges `v` so that its last `k` elements are the k largest.
 *
 * @example
 * ```ts
 * const v = new Float64Array([5, 1, 4, 2]); selectTop(v, 2); // v.subarray(2) holds 5 and 4
 * ```
 */
export function selectTop(v: Lane, k: number): void {
  const n = v.length;
  if (k <= 0 || k >= n) return;
  const a = v as unknown as { [i: number]: number | bigint };
  const target = n - k; // the element of ascending rank `target` goes here, larger ones after it
  let lo = 0, hi = n - 1, seed = 0x9e3779b9;
  while (hi > lo) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const pIdx = lo + (seed % (hi - lo + 1));
    const pivot = a[pIdx]!;
    // three-way partition: [lo, lt) < pivot, [lt, i) == pivot, (gtI, hi] > pivot
    let lt = lo, i = lo, gtI = hi;
    while (i <= gtI) {
      const x = a[i]!;
      if (gt(pivot, x)) { a[i] = a[lt]!; a[lt] = x; lt++; i++; }
      else if (gt(x, pivot)) { a[i] = a[gtI]!; a[gtI] = x; gtI--; }
      else i++;
    }
    if (target < lt) hi = lt - 1;
    else if (target > gtI) lo = gtI + 1;
    else return;
  }
}
