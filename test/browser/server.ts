/**
 * @file A tiny static file server for the browser smoke test: serves the repository root (dist/ and
 * test/browser/page.html) on 127.0.0.1 with a random port, no dependency beyond node:http. With `isolated` it sends
 * the COOP/COEP headers that make a page cross-origin isolated, which is what gives it `SharedArrayBuffer` (the CPU
 * backend's WebAssembly kernels need shared memory).
 *
 * `GET /__hold` is answered only once some request for `GET /__release` arrives. Chromium's `--virtual-time-budget`
 * does not advance virtual time while a fetch is pending, but it does not wait for WebGPU work: the page holds a
 * fetch open while it runs and releases it when done, so `--dump-dom` sees the finished log.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** A running server; `close()` stops it. */
export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves files below `root` on 127.0.0.1 (`port`, or a free one chosen by the OS). Paths escaping `root` get 403.
 * @example const s = await serveStatic(process.cwd(), { isolated: true }); ... await s.close();
 */
export async function serveStatic(root: string, opts: { isolated?: boolean; port?: number } = {}): Promise<StaticServer> {
  const base = normalize(root + sep);
  const held: ServerResponse[] = [];
  const server: Server = createServer(async (req, res) => {
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    if (opts.isolated) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
      headers['cross-origin-resource-policy'] = 'same-origin';
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/__hold') { held.push(res); return; }
    if (path === '/__release') {
      for (const h of held.splice(0)) h.writeHead(200, headers).end('released');
      res.writeHead(204, headers).end();
      return;
    }
    const file = normalize(join(base, path));
    if (!file.startsWith(base)) { res.writeHead(403, headers).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404, headers).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
