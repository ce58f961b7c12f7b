// The fallback table names every primitive, and its 'gpu' entries are exactly the kernel table. Needs no GPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/index.js';
import { primitiveNames } from '../../src/core/primitive.js';
import { GPU_PLACEMENT } from '../../src/backend/webgpu/fallbacks.js';
import { gpuKernels } from '../../src/backend/webgpu/kernels/index.js';

test('every registered primitive is in the GPU placement table', () => {
  const missing = primitiveNames().filter((n) => !(n in GPU_PLACEMENT));
  assert.deepEqual(missing, [], `add these to src/backend/webgpu/fallbacks.ts: ${missing.join(', ')}`);
  const stale = Object.keys(GPU_PLACEMENT).filter((n) => !primitiveNames().includes(n));
  assert.deepEqual(stale, [], 'entries for primitives that no longer exist');
});

test("'gpu' entries match the GPU kernel table", () => {
  for (const [name, where] of Object.entries(GPU_PLACEMENT)) {
    assert.equal(where === 'gpu', name in gpuKernels, `${name} is '${where}' but ${name in gpuKernels ? 'has' : 'lacks'} a kernel`);
  }
});
