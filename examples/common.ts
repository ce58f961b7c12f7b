/**
 * @file Helpers shared by the examples: command-line settings (`--steps=200 --batch=64`), a seeded host-side random
 * generator for reproducible synthetic data, "run when executed directly", and where outputs go.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Overrides numeric/string/boolean `defaults` from `--name=value` arguments (unknown names throw, so typos show).
 *
 * @example
 * ```ts
 * const cfg = parseSettings({ steps: 300, lr: 0.01 }, ['--steps=50']); // { steps: 50, lr: 0.01 }
 * ```
 */
export function parseSettings<T extends Record<string, number | string | boolean>>(defaults: T, argv: readonly string[] = process.argv.slice(2)): T {
  const out: Record<string, number | string | boolean> = { ...defaults };
  for (const a of argv) {
    const m = /^--([A-Za-z][\w-]*)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`Unrecognised argument "${a}": use --name=value (settings: ${Object.keys(defaults).join(', ')}).`);
    const key = m[1]!.replace(/-(\w)/g, (_s, c: string) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`Unknown setting --${m[1]} (settings: ${Object.keys(defaults).join(', ')}).`);
    const raw = m[2] ?? 'true', def = defaults[key];
    if (typeof def === 'number') {
      const v = Number(raw);
      if (!Number.isFinite(v)) throw new Error(`--${m[1]} needs a number, got "${raw}".`);
      out[key] = v;
    } else if (typeof def === 'boolean') out[key] = raw !== 'false' && raw !== '0';
    else out[key] = raw;
  }
  return out as T;
}

/** Whether the module at `url` is the script node was started with (not imported by a test). */
export function isMain(url: string): boolean {
  return !!process.argv[1] && pathToFileURL(process.argv[1]).href === url;
}

/** A path for an output file next to the compiled examples (dist/ is not committed). */
export function outputPath(file: string): string {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'out');
  mkdirSync(dir, { recursive: true });
  return join(dir, file);
}

/**
 * Mulberry32: a small seeded generator of uniform numbers in [0, 1), so datasets are the same on every run.
 *
 * @example
 * ```ts
 * const rand = rng(1); rand(); // 0.627...
 * ```
 */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample from a uniform generator (Box–Muller). */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** `n` random integers in [0, max) from `rand` (minibatch indices). */
export function randomIndices(rand: () => number, n: number, max: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * max);
  return out;
}
