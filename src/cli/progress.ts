/**
 * The one progress bar of qahan's command line (solve, train, experiment, masks, dataset downloads):
 *
 *   label [#######.........]  42% 420/1000 loss 0.31 acc 91.2% 12.3 it/s ETA 1:02
 *
 * On a terminal the line is redrawn in place (at most ten times a second) and always fits the terminal's
 * width: the bar narrows first, then the rate goes, the extra text (loss, accuracy) is shortened and
 * the label is cut, so the count and the ETA stay visible. Off a terminal (logs) it writes a plain line at most every `logEveryMs` and at the end.
 * Durations are m:ss, or h:mm:ss past an hour, for both elapsed time and ETA.
 */

export interface ProgressOptions {
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** false: draw nothing. Default true. */
  enabled?: boolean;
  /** Terminal width; default the stream's columns, else 80. */
  columns?: number;
  /** How counts print (e.g. bytes). Default the number. */
  formatCount?: (n: number) => string;
  /** How the rate prints. Default "12.3 it/s". */
  formatRate?: (perSecond: number) => string;
  /** Off a terminal, the least time between two lines. Default 10 s. */
  logEveryMs?: number;
  /** Clock in ms (tests). Default Date.now. */
  now?: () => number;
}

const MIN_BAR = 8;
const MAX_BAR = 24;
const ELLIPSIS = '…';

/** m:ss, or h:mm:ss past an hour; '?' when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Shortens text to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  return text.slice(0, max - 1) + ELLIPSIS;
}

export class ProgressBar {
  private readonly started: number;
  private lastDraw = -Infinity;
  private finished = false;
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly tty: boolean;
  private readonly now: () => number;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly o: ProgressOptions = {},
  ) {
    this.stream = o.stream ?? process.stderr;
    this.tty = !!this.stream.isTTY;
    this.now = o.now ?? Date.now;
    this.started = this.now();
  }

  /** Reports `done` of the total (a new total when given, e.g. from a sampler's progress callback). */
  update(done: number, info = '', total?: number): void {
    if (this.o.enabled === false || this.finished) return;
    if (total !== undefined) this.total = total;
    const t = this.now();
    const final = this.total > 0 && done >= this.total;
    if (!final && t - this.lastDraw < (this.tty ? 100 : this.o.logEveryMs ?? 10_000)) return;
    this.lastDraw = t;
    const line = this.render(done, info, (t - this.started) / 1000);
    if (this.tty) this.stream.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else this.stream.write(`${line}\n`);
    if (final) this.finished = true;
  }

  /** Ends the line (e.g. after an interruption, when the total was never reached). */
  done(): void {
    if (this.o.enabled === false || this.finished) return;
    this.finished = true;
    if (this.tty && this.lastDraw > -Infinity) this.stream.write('\n');
  }

  /** The line for `done` of the total after `elapsed` seconds, fitted to the terminal's width. */
  render(done: number, info: string, elapsed: number): string {
    const width = Math.max(20, (this.o.columns ?? this.stream.columns ?? 80) - 1);
    const count = this.o.formatCount ?? String;
    const rate = done / Math.max(elapsed, 1e-9);
    const rateText = elapsed > 0 && done > 0 ? (this.o.formatRate ?? ((r: number) => `${r.toFixed(1)} it/s`))(rate) : '';
    const known = this.total > 0;
    const final = known && done >= this.total;
    const time = final ? `took ${formatDuration(elapsed)}` : `ETA ${known && rate > 0 ? formatDuration((this.total - done) / rate) : '?'}`;
    const frac = known ? Math.min(1, Math.max(0, done / this.total)) : 0;
    const pct = known ? `${(frac * 100).toFixed(0).padStart(3)}%` : '';
    const counts = known ? `${count(done)}/${count(this.total)}` : count(done);
    // Kept whole: the count and the time. Given up in order: bar width, the rate, the extra text's end, the label's end.
    const tail = [pct, counts].filter(Boolean).join(' ');
    const end = time;
    const fixed = (bar: number, label: string, rateT: string, inf: string) =>
      [label, known ? `[${'#'.repeat(bar)}]` : '', tail, inf, rateT, end].filter(Boolean).join(' ').length;
    let bar = known ? MAX_BAR : 0;
    let label = this.label;
    let rateT = rateText;
    let inf = info.trim();
    const over = () => fixed(bar, label, rateT, inf) - width;
    if (over() > 0 && known) bar = Math.max(MIN_BAR, bar - over());
    if (over() > 0) rateT = '';
    if (over() > 0 && inf) {
      const keep = inf.length - over();
      inf = keep >= 4 ? truncate(inf, keep) : '';
    }
    if (over() > 0) label = truncate(label, Math.max(6, label.length - over()));
    const filled = Math.round(frac * bar);
    const barText = known ? `[${'#'.repeat(filled)}${'.'.repeat(bar - filled)}]` : '';
    const line = [label, barText, tail, inf, rateT, end].filter(Boolean).join(' ');
    // Only a terminal narrower than the kept parts gets here: cut the end rather than wrap.
    return line.length > width ? truncate(line, width) : line;
  }
}
