/** A one-line progress bar on stderr (only when stderr is a terminal, unless forced). */
export class ProgressBar {
  private readonly started = Date.now();
  private lastLength = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly total: number,
    private readonly label: string,
    opts: { enabled?: boolean } = {},
  ) {
    this.enabled = opts.enabled ?? Boolean(process.stderr.isTTY);
  }

  update(done: number, detail = ''): void {
    if (!this.enabled) return;
    const width = 24;
    const ratio = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const filled = Math.round(ratio * width);
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = done > 0 && done < this.total ? (elapsed / done) * (this.total - done) : 0;
    const line =
      `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${this.total}` +
      `${detail ? `  ${detail}` : ''}  ${formatSeconds(elapsed)} elapsed${eta ? `, ETA ${formatSeconds(eta)}` : ''}`;
    process.stderr.write(`\r${line}${' '.repeat(Math.max(0, this.lastLength - line.length))}`);
    this.lastLength = line.length;
  }

  /** Ends the bar's line so later output starts on a fresh one. */
  finish(): void {
    if (this.enabled && this.lastLength > 0) process.stderr.write('\n');
    this.lastLength = 0;
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}
