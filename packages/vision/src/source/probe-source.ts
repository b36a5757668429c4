import { spawn } from 'node:child_process';
import { registerChild } from '../util/child-registry.js';
import { ffmpegNotFound, resolveFfprobePath } from './ffmpeg-binary.js';
import { classifyFfmpegFailure } from './ffmpeg-log.js';
import { redactCredentials } from './redact.js';
import { resolveSourceInput, type SourceInputOptions } from './source-input.js';
import { SourceError } from './source-error.js';

export interface ProbeResult {
  width: number;
  height: number;
  /** Average frame rate, or the nominal rate when the average is unknown; 0 when neither is known. */
  fps: number;
  codec: string;
  /** Length of a finite source in seconds; absent for live streams and when unknown. */
  durationSec?: number;
}

export interface ProbeOptions extends SourceInputOptions {
  /** Default: $SIGHTLINE_FFPROBE, else ffprobe beside `ffmpegPath`, else `ffprobe` on PATH. */
  ffprobePath?: string;
  ffmpegPath?: string;
  /** Give up after this long. Default 15 s. */
  timeoutMs?: number;
}

interface FfprobeJson {
  streams?: { codec_name?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string; duration?: string }[];
  format?: { duration?: string };
}

function parseRate(rate: string | undefined): number {
  const m = /^(\d+)\/(\d+)$/.exec(rate ?? '');
  if (!m) return 0;
  const den = Number(m[2]);
  return den > 0 ? Number(m[1]) / den : 0;
}

function positiveNumber(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Size, rate, codec and duration of a source's first video stream, from ffprobe's JSON. */
export function probeSource(source: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const input = resolveSourceInput(source, options);
  const ffprobe = resolveFfprobePath(options.ffprobePath, options.ffmpegPath);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-print_format',
    'json',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height,avg_frame_rate,r_frame_rate,duration:format=duration',
    ...input.inputArgs.filter((a) => a !== '-re'),
    '-i',
    input.target,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(ffprobe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    registerChild(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (child.pid === undefined) reject(ffmpegNotFound(ffprobe, input.display, err));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) {
        return reject(
          new SourceError('startup-timeout', `ffprobe got no answer from ${input.display} within ${timeoutMs} ms`, input.display),
        );
      }
      const errorLines = redactCredentials(stderr).split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
      if (code !== 0) {
        const { code: failure, line } = classifyFfmpegFailure(errorLines);
        return reject(
          new SourceError(failure, `cannot probe ${input.display}: ${line ?? `ffprobe exited with code ${code}`}`, input.display, line),
        );
      }
      let parsed: FfprobeJson;
      try {
        parsed = JSON.parse(stdout) as FfprobeJson;
      } catch {
        return reject(new SourceError('ffmpeg-failed', `ffprobe gave unreadable output for ${input.display}`, input.display));
      }
      const stream = parsed.streams?.[0];
      if (stream?.width === undefined || stream.height === undefined || !(stream.width > 0 && stream.height > 0)) {
        return reject(new SourceError('undecodable', `no video stream in ${input.display}`, input.display));
      }
      const durationSec = input.live ? undefined : (positiveNumber(stream.duration) ?? positiveNumber(parsed.format?.duration));
      resolve({
        width: stream.width,
        height: stream.height,
        fps: parseRate(stream.avg_frame_rate) || parseRate(stream.r_frame_rate),
        codec: stream.codec_name ?? 'unknown',
        ...(durationSec === undefined ? {} : { durationSec }),
      });
    });
  });
}
