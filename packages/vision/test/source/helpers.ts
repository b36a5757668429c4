import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Frame } from '../../src/frame.js';
import type { FrameSource } from '../../src/source/index.js';

const run = promisify(execFile);

/** All frames of a finite source. */
export async function collectFrames(source: FrameSource): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of source) frames.push(frame);
  return frames;
}

/** The three channel values of pixel (x, y) of a frame. */
export function pixel(frame: Frame, x: number, y: number): [number, number, number] {
  const i = (y * frame.width + x) * 3;
  return [frame.data[i] ?? -1, frame.data[i + 1] ?? -1, frame.data[i + 2] ?? -1];
}

export function near(actual: readonly number[], expected: readonly number[], tolerance: number): boolean {
  return actual.every((v, i) => Math.abs(v - (expected[i] ?? Number.NaN)) <= tolerance);
}

/** Child processes of `parentPid` named ffmpeg or ffprobe that are still alive, from /proc. */
export async function ffmpegChildren(parentPid: number = process.pid): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Format: pid (comm) state ppid ...; comm may hold spaces, so split after the last ')'.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === parentPid && /^ff(mpeg|probe)$/.test(comm) && state !== 'Z') pids.push(Number(entry));
  }
  return pids;
}

/** Whether a process is running (a zombie waiting to be reaped counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function makeTempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sightline-source-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Encode a lavfi pattern into a file with ffmpeg (tests never keep videos in the repository). */
export async function encodeTestVideo(lavfi: string, path: string, codecArgs: string[] = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']): Promise<string> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', lavfi, ...codecArgs, path]);
  return path;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
