// Browser smoke test: the built package (dist/src/index.js) loads in headless Chromium as plain ES modules, and a
// small op table gives the values the page computes in plain JavaScript, on the CPU backend and on WebGPU
// (SwiftShader). Two page loads: a plain one (no SharedArrayBuffer: the CPU backend loads its non-shared WebAssembly
// build) and a cross-origin-isolated one (COOP/COEP headers: the shared-memory build). Both run single-threaded,
// since the pool uses node:worker_threads. Skips cleanly where /usr/bin/chromium is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { hasChromium, runPage, type PageRun } from './chromium.js';

// dist/test/browser/ -> repository root (serves dist/ and test/browser/page.html)
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function check(r: PageRun, isolated: boolean): void {
  const ctx = `\n${r.lines.join('\n')}\n--- chromium stderr tail ---\n${r.stderr.slice(-1500)}`;
  assert.ok(!r.timedOut, `Chromium was killed after the time limit${ctx}`);
  assert.ok(r.lines.includes('DONE'), `the page finished${ctx}`);
  const fails = r.lines.filter((l) => l.startsWith('FAIL'));
  assert.deepEqual(fails, [], `no failures${ctx}`);
  assert.ok(r.lines.includes('PASS import'), `package imported${ctx}`);
  assert.ok(r.lines.includes(`INFO crossOriginIsolated=${isolated} SharedArrayBuffer=${isolated}`), `isolation as served${ctx}`);
  // the WebAssembly kernels run in both loads: on shared memory when isolated, else the one-thread plain-memory build
  assert.ok(r.lines.includes('INFO wasm=true'), `WebAssembly kernels active${ctx}`);
  const cases = Number(/^INFO cases (\d+)$/m.exec(r.lines.join('\n'))?.[1]);
  assert.ok(cases >= 10, `case count reported${ctx}`);
  const passed = (dev: string): number => r.lines.filter((l) => l.startsWith(`PASS ${dev} `)).length;
  assert.equal(passed('cpu'), cases, `every CPU case passed${ctx}`);
  // WebGPU may be missing (no adapter); it then says SKIP, otherwise every case must have run and passed
  if (!r.lines.some((l) => l.startsWith('SKIP gpu'))) assert.equal(passed('gpu'), cases, `every GPU case passed${ctx}`);
}

test('browser: package loads; CPU (non-shared WebAssembly build) and WebGPU op table match plain JS', { skip: !hasChromium() && 'no /usr/bin/chromium', timeout: 90_000 }, async (t) => {
  const r = await runPage(ROOT, { isolated: false });
  check(r, false);
  if (r.lines.some((l) => l.startsWith('SKIP gpu'))) t.diagnostic(r.lines.find((l) => l.startsWith('SKIP gpu'))!);
});

test('browser, cross-origin isolated: CPU (WebAssembly kernels on shared memory) and WebGPU op table match plain JS', { skip: !hasChromium() && 'no /usr/bin/chromium', timeout: 90_000 }, async () => {
  check(await runPage(ROOT, { isolated: true }), true);
});
