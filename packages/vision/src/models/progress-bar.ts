import type { DownloadProgress } from './fetch-model.js';

/** A one-line progress bar for a TTY stream; prints nothing to a pipe except the final line. */
export function progressBar(stream: NodeJS.WriteStream, label: string): { update: (p: DownloadProgress) => void; done: () => void } {
  let last = 0;
  let lastProgress: DownloadProgress = { receivedBytes: 0, totalBytes: undefined };
  const render = (p: DownloadProgress) => {
    const mb = (n: number) => (n / 1e6).toFixed(1);
    if (p.totalBytes) {
      const frac = Math.min(1, p.receivedBytes / p.totalBytes);
      const width = 30;
      const filled = Math.round(frac * width);
      return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(p.receivedBytes)}/${mb(p.totalBytes)} MB`;
    }
    return `${label} ${mb(p.receivedBytes)} MB`;
  };
  return {
    update(p) {
      lastProgress = p;
      const now = Date.now();
      if (!stream.isTTY || now - last < 100) return;
      last = now;
      stream.write(`\r${render(p)}\x1b[K`);
    },
    done() {
      stream.write(stream.isTTY ? `\r${render(lastProgress)}\x1b[K\n` : `${render(lastProgress)}\n`);
    },
  };
}
