/** The last lines ffmpeg logged, and what they say about the input. */
export class FfmpegLogTail {
  readonly lines: string[] = [];
  inputCodec: string | undefined;
  private pending = '';
  private inOutputSection = false;

  constructor(private readonly keep = 30) {}

  push(text: string): void {
    const parts = (this.pending + text).split(/\r?\n|\r/);
    this.pending = parts.pop() ?? '';
    for (const line of parts) this.line(line.trim());
  }

  private line(line: string): void {
    if (line === '') return;
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.shift();
    if (/^Output #\d+/.test(line) || line.startsWith('Stream mapping')) this.inOutputSection = true;
    if (!this.inOutputSection && this.inputCodec === undefined) {
      const codec = /Stream #\d+:\d+.*?: Video: ([A-Za-z0-9_]+)/.exec(line)?.[1];
      if (codec) this.inputCodec = codec;
    }
  }

  /** The lines most likely to say why ffmpeg failed: errors first, else the last line. */
  reason(): string {
    const errors = this.lines.filter((l) => /error|failed|not found|No such|refused|denied|Invalid|unauthori[sz]ed|timed out/i.test(l));
    return (errors.at(-1) ?? this.lines.at(-1) ?? 'ffmpeg exited').slice(0, 500);
  }
}
