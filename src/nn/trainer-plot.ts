/**
 * @file Loss curves as a standalone SVG document (no dependency): axes with "nice" ticks, one polyline per series,
 * a legend and a title. Used by `trainLoop` to write `loss.svg`; usable on its own for any (x, y) series.
 */

/** One curve: its legend name, its points and an optional CSS colour. */
export interface PlotSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  color?: string;
}

/** Layout options of `lossCurveSvg`. */
export interface PlotOpts {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Logarithmic y axis (needs positive values; non-positive points are dropped). Default false. */
  logY?: boolean;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

/** Escapes text for SVG element content and attribute values. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Tick positions covering [lo, hi] with a step of 1, 2 or 5 times a power of ten (about `target` ticks), so tick
 * labels are short round numbers.
 *
 * @example
 * ```ts
 * niceTicks(0, 97); // [0, 20, 40, 60, 80, 100]
 * ```
 */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) { hi = lo + 1; lo -= 1; }
  const raw = (hi - lo) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  // rounding each tick to the step's precision keeps 0.30000000000000004 out of the labels
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toFixed(digits));
  if (out[out.length - 1]! < hi - step * 1e-9) out.push(+(out[out.length - 1]! + step).toFixed(digits));
  return out;
}

/** Short label for a tick value: integers as-is, otherwise up to 4 significant digits. */
function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return Number.isInteger(v) ? String(v) : String(+v.toPrecision(4));
}

/**
 * Renders series as an SVG line chart (a complete document with the XML prolog).
 *
 * @example
 * ```ts
 * const svg = lossCurveSvg([{ name: 'train', points: [[1, 2.3], [2, 1.9]] }], { title: 'MLP', xLabel: 'step' });
 * writeFileSync('loss.svg', svg);
 * ```
 */
export function lossCurveSvg(series: readonly PlotSeries[], opts: PlotOpts = {}): string {
  const W = opts.width ?? 640, H = opts.height ?? 400;
  const m = { left: 64, right: 20, top: opts.title ? 36 : 16, bottom: 48 };
  const pw = W - m.left - m.right, ph = H - m.top - m.bottom;
  const ty = (y: number): number => (opts.logY ? Math.log10(y) : y);
  const clean = series.map((s, i) => ({
    name: s.name,
    color: s.color ?? PALETTE[i % PALETTE.length]!,
    pts: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!opts.logY || y > 0)).map(([x, y]) => [x, ty(y)] as const),
  }));
  const all = clean.flatMap((s) => s.pts);
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const xTicks = niceTicks(all.length ? Math.min(...xs) : 0, all.length ? Math.max(...xs) : 1);
  const yTicks = niceTicks(all.length ? Math.min(...ys) : 0, all.length ? Math.max(...ys) : 1);
  const x0 = xTicks[0]!, x1 = xTicks[xTicks.length - 1]!, y0 = yTicks[0]!, y1 = yTicks[yTicks.length - 1]!;
  const sx = (x: number): number => m.left + ((x - x0) / (x1 - x0 || 1)) * pw;
  const sy = (y: number): number => m.top + ph - ((y - y0) / (y1 - y0 || 1)) * ph;
  const r = (v: number): string => v.toFixed(1);

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`);
  if (opts.title) out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(opts.title)}</text>`);
  // grid lines and tick labels
  out.push('<g stroke="#e5e5e5" stroke-width="1">');
  for (const t of xTicks) out.push(`<line x1="${r(sx(t))}" y1="${m.top}" x2="${r(sx(t))}" y2="${m.top + ph}"/>`);
  for (const t of yTicks) out.push(`<line x1="${m.left}" y1="${r(sy(t))}" x2="${m.left + pw}" y2="${r(sy(t))}"/>`);
  out.push('</g>');
  out.push('<g fill="#333">');
  for (const t of xTicks) out.push(`<text x="${r(sx(t))}" y="${m.top + ph + 16}" text-anchor="middle">${esc(fmt(t))}</text>`);
  for (const t of yTicks) {
    const label = opts.logY ? fmt(10 ** t) : fmt(t);
    out.push(`<text x="${m.left - 6}" y="${r(sy(t) + 4)}" text-anchor="end">${esc(label)}</text>`);
  }
  out.push('</g>');
  // axes
  out.push(`<g stroke="#333" stroke-width="1"><line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}"/>`
    + `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}"/></g>`);
  if (opts.xLabel) out.push(`<text x="${m.left + pw / 2}" y="${H - 10}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  if (opts.yLabel) {
    out.push(`<text x="16" y="${m.top + ph / 2}" text-anchor="middle" transform="rotate(-90 16 ${m.top + ph / 2})">${esc(opts.yLabel + (opts.logY ? ' (log)' : ''))}</text>`);
  }
  // curves: a single point is drawn as a dot so a one-step run still shows something
  for (const s of clean) {
    if (s.pts.length === 1) {
      out.push(`<circle cx="${r(sx(s.pts[0]![0]))}" cy="${r(sy(s.pts[0]![1]))}" r="3" fill="${esc(s.color)}"/>`);
    } else if (s.pts.length > 1) {
      const d = s.pts.map(([x, y]) => `${r(sx(x))},${r(sy(y))}`).join(' ');
      out.push(`<polyline fill="none" stroke="${esc(s.color)}" stroke-width="1.5" points="${d}"/>`);
    }
  }
  // legend, top right inside the plot
  clean.forEach((s, i) => {
    const ly = m.top + 14 + i * 18, lx = m.left + pw - 110;
    out.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 20}" y2="${ly - 4}" stroke="${esc(s.color)}" stroke-width="2"/>`
      + `<text x="${lx + 26}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
