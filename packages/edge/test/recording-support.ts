import { execFile, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { TsDemuxer, TsMuxer, type AccessUnit } from '@sightline/media';
import type { TsTap } from '../src/recording/index.js';
import { spawnTied } from '../src/recording/child-lifetime.js';

const run = promisify(execFile);

export interface LavfiTapOptions {
  fps?: number;
  /** Keyframe interval in frames. */
  gop?: number;
  size?: string;
}

/**
 * A TsTap for tests, built the way the interface asks: one ffmpeg encodes a lavfi test pattern in real time (-re), its
 * pictures are kept since the last keyframe, and each open() is a fresh MPEG-TS stream that starts with PAT/PMT and
 * that keyframe, carrying the producer's PTS unchanged (what a recorder reading it with -copyts sees). The wall clock
 * of a PTS is anchored on the first picture: with -re, PTS advance with real time.
 */
export class LavfiTap implements TsTap {
  opens = 0;
  private readonly listeners = new Set<(unit: AccessUnit) => void>();
  private readonly streams = new Set<Readable>();
  private prebuffer: AccessUnit[] = [];
  private anchor: { pts: number; at: number } | undefined;
  private readonly child: ChildProcess;

  constructor(options: LavfiTapOptions = {}) {
    const fps = options.fps ?? 15;
    // Tied to this process like the recorder's own ffmpeg, so a test process killed outright leaves nothing running.
    this.child = spawnTied(
      'ffmpeg',
      [
        '-hide_banner', '-nostdin', '-loglevel', 'error', '-re',
        '-f', 'lavfi', '-i', `testsrc2=size=${options.size ?? '640x360'}:rate=${fps}`,
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(options.gop ?? fps), '-pix_fmt', 'yuv420p',
        '-f', 'mpegts', '-muxdelay', '0', '-muxpreload', '0', '-flush_packets', '1', 'pipe:1',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const demuxer = new TsDemuxer({
      picture: (picture) => {
        const unit: AccessUnit = { ...picture, receivedAt: Date.now() };
        this.anchor ??= { pts: unit.pts, at: unit.receivedAt };
        if (unit.keyframe) this.prebuffer = [];
        this.prebuffer.push(unit);
        for (const listener of this.listeners) listener(unit);
      },
    });
    this.child.stdout!.on('data', (chunk: Buffer) => demuxer.push(chunk));
  }

  /** Resolves once the first keyframe has arrived (open() before it would start with nothing to replay). */
  async ready(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.prebuffer[0]?.keyframe) {
      if (Date.now() > deadline) throw new Error('the lavfi tap produced no keyframe');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  wallClockOf(pts90k: number): number {
    return this.anchor ? Math.round(this.anchor.at + (pts90k - this.anchor.pts) / 90) : Date.now();
  }

  open(): Readable {
    this.opens++;
    const muxer = new TsMuxer();
    const listener = (unit: AccessUnit) => void stream.push(muxer.mux(unit));
    const stream = new Readable({
      read: () => undefined,
      destroy: (error, callback) => {
        this.listeners.delete(listener);
        this.streams.delete(stream);
        callback(error);
      },
    });
    for (const unit of this.prebuffer) listener(unit);
    this.listeners.add(listener);
    this.streams.add(stream);
    return stream;
  }

  /** How many opened streams are still being fed. */
  get openStreams(): number {
    return this.streams.size;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

export interface ProbedSegment {
  durationS: number;
  firstFrameKey: boolean;
  startS: number;
}

/** ffprobe of a segment file: its duration, first timestamp, and whether its first frame is a keyframe. */
export async function probeSegment(path: string): Promise<ProbedSegment> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'format=duration,start_time:packet=flags', '-read_intervals', '%+#1',
    '-of', 'json', path,
  ]);
  const json = JSON.parse(stdout) as { format: { duration: string; start_time: string }; packets: { flags: string }[] };
  return { durationS: Number(json.format.duration), startS: Number(json.format.start_time), firstFrameKey: json.packets[0]?.flags.startsWith('K') ?? false };
}
