import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RELAY_CODEC } from '../src/relay/codec-choice.js';
import { HlsSegmenter } from '../src/hls/hls-segmenter.js';

// Without the setpriv launcher a missing ffmpeg is a failed spawn (an 'error' event, no pid), as EAGAIN would be.
vi.mock('../src/publish/child-reaper.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  withParentDeathSignal: (command: string, args: string[]) => ({ command, args }),
}));

const root = mkdtempSync(join(tmpdir(), 'hls-segmenter-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function childPids(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
}

describe('HlsSegmenter', () => {
  it('survives an ffmpeg that cannot be spawned, and stops', async () => {
    const warnings: string[] = [];
    const dir = join(root, 'no-ffmpeg');
    const segmenter = new HlsSegmenter({ dir, codec: DEFAULT_RELAY_CODEC, ffmpegPath: join(root, 'no-such-ffmpeg'), log: { warn: (_d, m) => warnings.push(m) } });
    await segmenter.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(warnings).toContain('hls segmenter could not start ffmpeg');
    await segmenter.stop();
    expect(existsSync(dir)).toBe(false);
  }, 10_000);

  it('a stop() while start() is under way leaves no ffmpeg and no files', async () => {
    const before = childPids();
    const dir = join(root, 'stopped-early');
    const segmenter = new HlsSegmenter({ dir, codec: DEFAULT_RELAY_CODEC });
    const started = segmenter.start();
    await segmenter.stop();
    await started;
    await new Promise((r) => setTimeout(r, 200));
    expect(childPids().filter((pid) => !before.includes(pid))).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  }, 10_000);
});
