/** Calls `expire` once `ms` pass without a `touch`; `stop` disarms it for good. */
export class IdleDeadline {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ms: number,
    private readonly expire: () => void,
  ) {}

  /** (Re)starts the countdown. */
  touch(): void {
    if (this.stopped) return;
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => this.fire(), this.ms);
      this.timer.unref(); // a deadline alone never keeps the process running
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    if (this.stopped) return;
    this.stop();
    this.expire();
  }
}
