import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StatusLine } from '../src/status-line.js';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { text: () => string };
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  Object.assign(stream, { isTTY, columns: 40, text: () => text });
  return stream;
}

describe('StatusLine', () => {
  it('rewrites one line on a TTY, cut to the terminal width, and clears it on stop', async () => {
    const tty = fakeStream(true);
    let n = 0;
    const line = new StatusLine(tty, () => `fps 25.0  objects ${++n}  events 3  dropped 0  and more text past the width`, 10);
    await new Promise((r) => setTimeout(r, 60));
    line.stop();
    await new Promise((r) => setImmediate(r));
    const text = tty.text();
    expect(text).toMatch(/^\r\S/);
    expect(text).toContain('objects 1');
    expect(text).toContain('objects 2');
    for (const chunk of text.split('\r').filter(Boolean)) expect(chunk.replace('\x1b[K', '').length).toBeLessThanOrEqual(39);
    expect(text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('prints nothing when the stream is not a terminal', async () => {
    const pipe = fakeStream(false);
    const line = new StatusLine(pipe, () => 'fps 1', 5);
    await new Promise((r) => setTimeout(r, 30));
    line.stop();
    expect(pipe.text()).toBe('');
  });
});
