/**
 * @file Test helper: puts mx.gpu into `testDevices()` for an op test file, and lists the GPU cases that are known to
 * fail because of a kernel outside the test's control (burned down by fixing the kernel, then deleting the entry).
 *
 * The op test files build their test list at module top level (`for (const device of testDevices())`), which runs
 * before any `before` hook, so the GPU has to be initialised by a top-level `await useTestDevices()`; the `after`
 * hook then shuts the device down so Node can exit.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import * as mx from '../../src/index.js';

/**
 * Whether the GPU variants are wanted: on unless MLX_TEST_GPU=0 (e.g. to time the CPU-only suite).
 */
export function gpuTestsEnabled(): boolean {
  return process.env['MLX_TEST_GPU'] !== '0';
}

/**
 * Initialises the GPU (any adapter, software ones included) so that `testDevices()` yields [mx.cpu, mx.gpu], and
 * registers an `after` hook that checks the GPU variants really ran work on the GPU, then shuts it down.
 * Call once at the top level of a test file: `await useTestDevices();`.
 * @param opts.expectGpuWork false for a file whose GPU variant only checks that ops refuse the GPU.
 * @returns the devices the file's tests should iterate.
 */
export async function useTestDevices(opts: { expectGpuWork?: boolean } = {}): Promise<mx.Device[]> {
  const ok = gpuTestsEnabled() && await mx.initGpu({ allowSoftware: true, quiet: true });
  after(() => {
    if (!ok) return;
    const stats = mx.deviceInfo(mx.gpu).stats;
    try {
      // a GPU variant that silently ran on the CPU (stream option dropped) would leave both counters at zero; a
      // name-filtered run or a file whose GPU cases are all known failures may legitimately run none
      const filtered = process.execArgv.some((a) => a.startsWith('--test-name-pattern') || a.startsWith('--test-only'));
      if (opts.expectGpuWork !== false && !filtered && !(skippedGpuCases > 0 && checkedGpuCases === skippedGpuCases)) {
        assert.ok((stats?.dispatches ?? 0) + (stats?.fallbacks ?? 0) > 0, 'GPU variants ran no GPU work');
      }
    } finally {
      mx.shutdown();
    }
  });
  return [mx.cpu, ...(ok ? [mx.gpu] : [])];
}

let checkedGpuCases = 0, skippedGpuCases = 0;

/** A case of an op test known to fail on the GPU, with the reason (the kernel at fault and the symptom). */
export interface GpuKnownFailure {
  /** The test file's base name, e.g. 'binary'. */
  file: string;
  /** Matches the case label inside that file (the test name or a row/dtype label the file checks). */
  match: RegExp;
  /** Why it fails and where the fix belongs. */
  reason: string;
}

/**
 * GPU cases disabled until a kernel owned elsewhere is fixed. Each entry names the op, dtype, symptom and suspected
 * file; delete an entry once its case passes (`MLX_TEST_GPU_KNOWN=run` runs them anyway to check).
 */
export const GPU_KNOWN_FAILURES: GpuKnownFailure[] = [
];

/**
 * The reason a GPU case is disabled, or undefined when it should run. CPU cases always run.
 * @param file the test file's base name.
 * @param label the case label (a test name, or a row label for per-row skips).
 */
export function gpuKnownFailure(device: mx.Device, file: string, label: string): string | undefined {
  if (device.type !== 'gpu') return undefined;
  checkedGpuCases++;
  if (process.env['MLX_TEST_GPU_KNOWN'] === 'run') return undefined;
  const hit = GPU_KNOWN_FAILURES.find((f) => f.file === file && f.match.test(label));
  if (!hit) return undefined;
  skippedGpuCases++;
  return `GPU_KNOWN_FAILURES: ${hit.reason}`;
}
