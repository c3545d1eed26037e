/** A one-line progress bar with rate and ETA on stderr (a plain line every few seconds when stderr is not a TTY). */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {
    this.tty = !!stream.isTTY;
  }

  update(done: number, info = ''): void {
    if (!this.enabled) return;
    const t = Date.now();
    const final = done >= this.total;
    if (!final && t - this.lastDraw < (this.tty ? 200 : 10000)) return;
    this.lastDraw = t;
    const elapsed = (t - this.started) / 1000;
    const rate = done / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    const width = 24;
    const filled = Math.round((width * done) / Math.max(1, this.total));
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    const line = `${this.label} [${bar}] ${done}/${this.total} ${info} ${rate.toFixed(1)} it/s ${final ? 'took ' + formatSeconds(elapsed) : 'ETA ' + formatSeconds(eta)}`;
    if (this.tty) this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1).padEnd(Math.min(119, (this.stream.columns ?? 120) - 1))}${final ? '\n' : ''}`);
    else this.stream.write(line + '\n');
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}
