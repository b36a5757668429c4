/** A single self-rewriting line on a TTY (stderr); silent elsewhere so pipes and logs stay clean. */
export class StatusLine {
  private timer: NodeJS.Timeout | undefined;
  private readonly enabled: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly render: () => string,
    intervalMs = 250,
  ) {
    this.enabled = Boolean(stream.isTTY);
    if (this.enabled) this.timer = setInterval(() => this.draw(), intervalMs);
  }

  private draw(): void {
    const columns = this.stream.columns || 120;
    this.stream.write(`\r${this.render().slice(0, columns - 1)}\x1b[K`);
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.enabled) this.stream.write('\r\x1b[K');
  }
}
