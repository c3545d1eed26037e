/** A one-line progress bar with rate and ETA on stderr; redraws at most ten times a second. */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly stream: NodeJS.WriteStream = process.stderr;

  constructor(
    private readonly label: string,
    private readonly width = 28,
  ) {}

  update(done: number, total: number, suffix = ''): void {
    const now = Date.now();
    if (now - this.lastDraw < 100 && done < total) return;
    this.lastDraw = now;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * this.width);
    const elapsed = (now - this.started) / 1000;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : NaN;
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
      `${formatSeconds(elapsed)} elapsed, ETA ${Number.isFinite(eta) ? formatSeconds(eta) : '?'}${suffix ? `  ${suffix}` : ''}`;
    if (this.stream.isTTY) this.stream.write(`\r${line.slice(0, (this.stream.columns || 120) - 1)}\x1b[K`);
    else {
      // Logs, not terminals: one line per tenth of the work.
      const decile = Math.floor(frac * 10);
      if (decile > this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(`${line}\n`);
      }
    }
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s % 60).toString().padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${(m % 60).toString().padStart(2, '0')}m`;
}
