#!/usr/bin/env node
// Serves the repository root on 127.0.0.1 for trying the browser smoke page by hand (after `npx tsc -p .`):
//   node scripts/browser-serve.mjs [--isolated] [--port N]
// then open http://127.0.0.1:PORT/test/browser/page.html in a WebGPU-capable browser. --isolated sends the
// COOP/COEP headers (SharedArrayBuffer, so the CPU backend's WebAssembly kernels run). Ctrl-C stops it.
import { serveStatic } from '../dist/test/browser/server.js';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
const server = await serveStatic(fileURLToPath(new URL('..', import.meta.url)), {
  isolated: args.includes('--isolated'),
  port: portAt >= 0 ? Number(args[portAt + 1]) : 0,
});
console.log(`${server.url}/test/browser/page.html`);
process.on('SIGINT', () => { server.close().then(() => process.exit(0)); });
