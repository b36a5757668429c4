import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { TsDemuxer } from '@sightline/media';
import { spawnTied } from './child-lifetime.js';
import { wallClockNear } from './pts-clock.js';
import { parseSegmentListLine, type SegmentListEntry } from './segment-list.js';
import type { TsTap } from './ts-tap.js';

/** A closed, self-contained fMP4 segment on disk and the wall-clock time it covers. */
export interface FinishedSegment {
  path: string;
  /** Wall-clock ms of its first frame. */
  startedAt: number;
  durationMs: number;
  bytes: number;
  startPts: number;
  endPts: number;
}

export interface RecorderRunOptions {
  tap: TsTap;
  dir: string;
  /** Prefix of this run's file names, unique per run so a restart never overwrites a segment. */
  runId: string;
  segmentSeconds: number;
  ffmpegPath: string;
  now: () => number;
  onSegment: (segment: FinishedSegment) => void;
  onError: (err: Error) => void;
}

const PTS_MODULUS = 2 ** 33;
/** How long to wait for ffmpeg to close a listed segment (it opens the next file right after). */
const CLOSE_WAIT_MS = 10_000;

/**
 * One ffmpeg reading a fresh stream of the tap and cutting it into fMP4 segments, copied (no transcoding). ffmpeg
 * names each finished segment on stdout (a CSV segment list); the segment is handed on once ffmpeg has closed it,
 * which is when the next file exists or ffmpeg has exited cleanly. Files of the run that ffmpeg never finished are
 * deleted when it ends.
 *
 * Times: ffmpeg keeps the tap's PTS (-copyts). Each segment's start is turned into wall-clock time when it is first
 * seen (the first picture, or the end of the previous segment), so a camera outage inside a segment (the tap's PTS
 * do not jump over it) shows as a gap before the next segment rather than shifting the earlier ones.
 */
export class RecorderRun {
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  readonly startedAt: number;
  private readonly child: ChildProcess;
  private readonly input: Readable;
  private readonly emitted = new Set<string>();
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private stderr = '';
  private first: { pts: number; wall: number } | undefined;
  private nextStartWall: number | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: RecorderRunOptions) {
    this.startedAt = options.now();
    this.input = options.tap.open();
    try {
      this.child = spawnTied(options.ffmpegPath, this.args(), { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      this.input.destroy(); // let go of the tap: nothing will read it
      throw err;
    }
    const { child, input } = this;

    const demuxer = new TsDemuxer({
      picture: (picture) => {
        this.first ??= { pts: picture.pts, wall: wallClockNear(options.tap, picture.pts, options.now()) };
      },
    });
    const watchFirstPicture = (chunk: Buffer) => {
      if (this.first) input.off('data', watchFirstPicture);
      else demuxer.push(chunk);
    };
    input.on('data', watchFirstPicture);
    input.on('error', () => child.stdin?.end());
    // The tap ending (its feed stopped) ends ffmpeg's input: it finishes the last segment and exits.
    input.pipe(child.stdin!);
    child.stdin!.on('error', () => undefined); // EPIPE once ffmpeg is gone
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => (this.stderr = (this.stderr + text).slice(-4000)));

    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const entry = parseSegmentListLine(line);
      // One segment failing (a listener throwing, a file gone) must not hold up the ones after it or the run's end.
      if (entry) this.chain = this.chain.then(() => this.finish(entry)).catch((err: unknown) => options.onError(err as Error));
    });
    const stdoutClosed = new Promise<void>((resolve) => lines.once('close', resolve));

    this.done = new Promise((resolve) => {
      const ended = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exit) return;
        this.exit = { code, signal };
        input.destroy();
        void stdoutClosed
          .then(() => this.chain)
          .then(() => this.removeUnfinished())
          .then(() => resolve({ code, signal, stderr: this.stderr.trim() }));
      };
      child.once('exit', ended);
      child.once('error', (err) => {
        this.stderr += `\n${err.message}`;
        lines.close();
        ended(null, null);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ends ffmpeg's input so it closes the segment in progress and exits; kills it if it takes longer than `graceMs`. */
  async finishInput(graceMs: number): Promise<void> {
    if (this.exit) return void (await this.done);
    this.input.unpipe(this.child.stdin!);
    this.input.destroy();
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.done;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exit) this.child.kill('SIGKILL');
  }

  private args(): string[] {
    const { dir, runId, segmentSeconds } = this.options;
    return [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-copyts', '-f', 'mpegts', '-i', 'pipe:0',
      '-map', '0:v:0', '-c', 'copy',
      '-f', 'segment', '-segment_time', String(segmentSeconds), '-reset_timestamps', '0',
      '-segment_format', 'mp4',
      // Each segment stands alone (its own moov) and starts on a keyframe, so any one plays and any run concatenates.
      '-segment_format_options', 'movflags=frag_keyframe+empty_moov+default_base_moof',
      '-segment_list', 'pipe:1', '-segment_list_type', 'csv',
      join(dir, `${runId}-%06d.mp4`),
    ];
  }

  private async finish(entry: SegmentListEntry): Promise<void> {
    const { tap, now, dir, runId } = this.options;
    const path = join(dir, entry.file);
    const endPts = Math.round(entry.endSeconds * 90_000);
    // ffmpeg lists the first segment of a run as starting at 0: its real start is the first picture's PTS (had the
    // demuxer missed it, the segment length ffmpeg aims at is the best guess).
    let startPts =
      entry.index > 0 ? Math.round(entry.startSeconds * 90_000) : (this.first?.pts ?? endPts - this.options.segmentSeconds * 90_000);
    if (startPts > endPts) startPts -= PTS_MODULUS; // the first picture came just before a 33-bit wrap
    const startedAt = (entry.index === 0 ? this.first?.wall : this.nextStartWall) ?? wallClockNear(tap, startPts, now());
    // Observed now, as ffmpeg cuts: the next segment starts where this one ends.
    this.nextStartWall = wallClockNear(tap, endPts, now());

    const next = join(dir, `${runId}-${String(entry.index + 1).padStart(6, '0')}.mp4`);
    const closedDeadline = Date.now() + CLOSE_WAIT_MS;
    while (!existsSync(next) && !this.exit && Date.now() < closedDeadline) await sleep(25);
    // Killed while writing: the listed file may be cut short.
    const closed = existsSync(next) || this.exit?.code === 0;
    const durationMs = Math.round((endPts - startPts) / 90);
    if (!closed || durationMs <= 0 || !existsSync(path)) {
      rmSync(path, { force: true });
      return;
    }
    this.emitted.add(entry.file);
    this.options.onSegment({ path, startedAt, durationMs, bytes: statSync(path).size, startPts, endPts });
  }

  private removeUnfinished(): void {
    const prefix = `${this.options.runId}-`;
    let names: string[];
    try {
      names = readdirSync(this.options.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(prefix) && !this.emitted.has(name)) rmSync(join(this.options.dir, name), { force: true });
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
