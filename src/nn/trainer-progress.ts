/**
 * @file A terminal progress bar for training loops. On a TTY it redraws one line in place (carriage return + erase
 * to end of line); elsewhere (CI logs, pipes) it prints plain lines at most `lines` times per run, so logs stay
 * short and readable.
 */

/** Where the bar writes: a Node writable stream or anything with `write` (and optionally `isTTY`/`columns`). */
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of `ProgressBar`. */
export interface ProgressOpts {
  /** Destination; default `process.stderr`. */
  stream?: ProgressSink;
  /** Text before the bar. */
  label?: string;
  /** Force TTY (in place) or plain mode; default from `stream.isTTY`. */
  tty?: boolean;
  /** Plain mode: about how many lines to print over the run (the first and last steps always print). Default 20. */
  lines?: number;
}

/**
 * Formats a duration in seconds as `m:ss` (or `h:mm:ss`).
 *
 * @example
 * ```ts
 * formatDuration(75); // '1:15'
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds), h = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return h ? `${h}:${two(mm)}:${two(ss)}` : `${mm}:${two(ss)}`;
}

/**
 * Formats a rate with a k/M suffix: `1234.5` → `1.23k`.
 *
 * @example
 * ```ts
 * formatRate(52000); // '52.0k'
 * ```
 */
export function formatRate(v: number): string {
  if (!Number.isFinite(v)) return '?';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(2)}k`;
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

/**
 * Progress of a loop of `total` steps with free-form fields (`loss=1.234`, `tok/s=5.1k`).
 *
 * @example
 * ```ts
 * const bar = new ProgressBar(100, { label: 'train' });
 * for (let i = 1; i <= 100; i++) bar.update(i, { loss: 0.5.toFixed(3) });
 * bar.done();
 * ```
 */
export class ProgressBar {
  readonly total: number;
  private readonly stream: ProgressSink;
  private readonly tty: boolean;
  private readonly label: string;
  private readonly every: number;
  private readonly start = performance.now();
  private lastLen = 0;
  private lastPrinted = 0;
  private last = '';

  constructor(total: number, opts: ProgressOpts = {}) {
    this.total = Math.max(1, total);
    this.stream = opts.stream ?? process.stderr;
    this.tty = opts.tty ?? !!this.stream.isTTY;
    this.label = opts.label ?? '';
    this.every = Math.max(1, Math.ceil(this.total / (opts.lines ?? 20)));
  }

  /** Seconds since the bar was created. */
  elapsed(): number { return (performance.now() - this.start) / 1000; }

  /** The text of the line for `step` (without control characters). */
  render(step: number, fields: Record<string, string | number> = {}): string {
    const frac = Math.min(1, step / this.total);
    const secs = this.elapsed();
    const eta = step > 0 ? (secs / step) * (this.total - step) : NaN;
    const info = Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ');
    const head = `${this.label ? this.label + ' ' : ''}`;
    const tail = ` ${String(step).padStart(String(this.total).length)}/${this.total} ${info} [${formatDuration(secs)}<${formatDuration(eta)}]`;
    if (!this.tty) return `${head}${(frac * 100).toFixed(0).padStart(3)}%${tail}`;
    const cols = this.stream.columns ?? 100;
    const width = Math.max(10, Math.min(30, cols - head.length - tail.length - 3));
    const full = Math.floor(frac * width);
    const bar = '█'.repeat(full) + (full < width ? '░'.repeat(width - full) : '');
    return `${head}|${bar}|${tail}`;
  }

  /** Shows `step` of `total`; in plain mode only every few steps (and the last) are printed. */
  update(step: number, fields: Record<string, string | number> = {}): void {
    const line = this.render(step, fields);
    this.last = line;
    if (this.tty) {
      // \x1b[K erases what a longer previous line left behind
      this.stream.write(`\r${line}\x1b[K`);
      this.lastLen = line.length;
    } else if (step === 1 || step >= this.total || step - this.lastPrinted >= this.every) {
      this.stream.write(line + '\n');
      this.lastPrinted = step;
    }
  }

  /** Prints a message on its own line without breaking the bar (the bar is redrawn after it on a TTY). */
  log(msg: string): void {
    if (this.tty && this.lastLen) this.stream.write(`\r\x1b[K${msg}\n${this.last}`);
    else this.stream.write(msg + '\n');
  }

  /** Ends the bar (moves to a new line on a TTY). */
  done(): void {
    if (this.tty && this.lastLen) this.stream.write('\n');
    this.lastLen = 0;
  }
}
