/**
 * @file Runs test/browser/page.html in headless Chromium (Debian's package, WebGPU on its bundled SwiftShader) and
 * returns the lines the page wrote into its log. Chromium is started with the flags of
 * ../shared/docs/webgpu-on-cpu.md, `--dump-dom` prints the page once the virtual-time budget is spent (the page
 * holds a fetch open while it works, see server.ts), and the process is killed after `timeoutMs` regardless. The
 * temporary profile directory and the server are always removed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic } from './server.js';

/** Where Debian's `chromium` package installs the browser. */
export const CHROMIUM = process.env['MLX_CHROMIUM'] ?? '/usr/bin/chromium';

/** Whether the browser exists here. */
export function hasChromium(): boolean { return existsSync(CHROMIUM); }

/** The outcome of one page load. */
export interface PageRun {
  /** Lines of the page's log ("PASS ...", "FAIL ...", "SKIP ...", "INFO ...", "DONE"). */
  lines: string[];
  /** Chromium's exit code, or null when it was killed. */
  code: number | null;
  timedOut: boolean;
  /** The tail of Chromium's stderr, for failure messages. */
  stderr: string;
}

const unescape = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/**
 * Serves `root` and loads `/test/browser/page.html?<query>` in headless Chromium.
 * @example const r = await runPage(process.cwd(), { isolated: true }); r.lines.filter((l) => l.startsWith('FAIL'))
 */
export async function runPage(
  root: string, opts: { isolated?: boolean; query?: string; timeoutMs?: number } = {},
): Promise<PageRun> {
  const server = await serveStatic(root, { isolated: opts.isolated });
  const profile = mkdtempSync(join(tmpdir(), 'mlx-chromium-'));
  try {
    const url = `${server.url}/test/browser/page.html${opts.query ? `?${opts.query}` : ''}`;
    const args = [
      '--headless', '--no-sandbox', '--disable-gpu-sandbox', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
      '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--virtual-time-budget=30000', '--dump-dom', url,
    ];
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', timedOut = false;
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs ?? 60_000);
    const code = await new Promise<number | null>((resolve) => {
      child.once('error', (e) => { err += String(e); resolve(null); });
      child.once('exit', (c) => resolve(c));
    });
    clearTimeout(timer);
    const log = /<pre id="log">([\s\S]*?)<\/pre>/.exec(out)?.[1] ?? '';
    return { lines: unescape(log).split('\n').filter((l) => l.length > 0), code, timedOut, stderr: err };
  } finally {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
