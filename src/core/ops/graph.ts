/**
 * @file Graph utilities: `depends` and `synchronize`.
 */
import { MxArray, bindMulti } from '../array.js';
import { defaultStream, type StreamOrDevice, Stream } from '../device.js';
import { allBackends, backendFor } from '../../backend/backend.js';
import '../primitives/depends.js';

/**
 * Returns arrays equal to `inputs` whose evaluation also evaluates `dependencies` (MLX's `mx.depends`).
 *
 * @example
 * ```ts
 * const [y] = mx.depends([x], [sideEffect]);
 * ```
 */
export function depends(inputs: MxArray[], dependencies: MxArray[]): MxArray[] {
  for (const x of [...inputs, ...dependencies]) x._check('depends');
  if (inputs.length === 0) throw new Error('[depends] Needs at least one input.');
  const stream = inputs[0]!._node?.stream ?? defaultStream();
  return bindMulti('depends', [...inputs, ...dependencies], { n: inputs.length }, stream);
}

/**
 * Waits until all work submitted to a stream (or device; every device when omitted) has finished.
 *
 * @example
 * ```ts
 * mx.asyncEval(y);
 * await mx.synchronize();
 * ```
 */
export async function synchronize(s?: StreamOrDevice): Promise<void> {
  if (s === undefined) { await Promise.all(allBackends().map((b) => b.synchronize())); return; }
  const type = s instanceof Stream ? s.device.type : s.type;
  await backendFor(type).synchronize();
}
