import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { CaptureCodec } from './x11grab-args.js';

/** An ffmpeg video encoder a capture could use. */
export interface DetectedEncoder {
  /** The codec it makes. */
  name: CaptureCodec;
  /** ffmpeg's encoder name. */
  encoder: 'libx264' | 'libvpx' | 'h264_nvenc' | 'h264_vaapi';
  hardware: boolean;
}

export interface UnusableEncoder extends DetectedEncoder {
  /** Why it cannot be used here: not built into this ffmpeg, no device, or the trial encode's error. */
  reason: string;
}

export interface EncoderDetection {
  ffmpegPath: string;
  /** Best first: hardware H.264 before x264, then VP8. */
  usable: DetectedEncoder[];
  unusable: UnusableEncoder[];
  /** How long detection took, ms. */
  tookMs: number;
}

export interface DetectEncodersOptions {
  /** Default 'ffmpeg'. */
  ffmpegPath?: string;
  /** Per ffmpeg run (the list, each trial encode). Default 5000. */
  timeoutMs?: number;
  /** Where VAAPI's render nodes are. Default '/dev/dri'. */
  driDir?: string;
  /** Ask again instead of using the answer cached for this ffmpeg. */
  refresh?: boolean;
}

const CANDIDATES: DetectedEncoder[] = [
  { name: 'h264', encoder: 'h264_nvenc', hardware: true },
  { name: 'h264', encoder: 'h264_vaapi', hardware: true },
  { name: 'h264', encoder: 'libx264', hardware: false },
  { name: 'vp8', encoder: 'libvpx', hardware: false },
];

const cache = new Map<string, Promise<EncoderDetection>>();

/**
 * Which video encoders this host can really use for a capture. ffmpeg's list (`-encoders`) says what was built in,
 * not what works: a Debian ffmpeg lists h264_nvenc and h264_vaapi on any machine. So each hardware encoder that is
 * listed is tried with a one-frame encode (lavfi testsrc → -f null) under a timeout; VAAPI first needs a render node
 * (/dev/dri/renderD*). CPU encoders that are listed are taken as usable. The answer is cached per ffmpeg path (a
 * failed detection is not).
 */
export function detectEncoders(options: DetectEncodersOptions = {}): Promise<EncoderDetection> {
  const ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
  const cached = cache.get(ffmpegPath);
  if (cached && !options.refresh) return cached;
  const detection = detect(ffmpegPath, options.timeoutMs ?? 5000, options.driDir ?? '/dev/dri');
  cache.set(ffmpegPath, detection);
  detection.catch(() => cache.delete(ffmpegPath));
  return detection;
}

async function detect(ffmpegPath: string, timeoutMs: number, driDir: string): Promise<EncoderDetection> {
  const startedAt = performance.now();
  const listing = await run(ffmpegPath, ['-hide_banner', '-encoders'], timeoutMs);
  if (!listing.ok) throw new Error(`cannot list ${ffmpegPath}'s encoders: ${listing.error}`);
  const listed = parseEncoderList(listing.stdout);
  const verdicts = await Promise.all(
    CANDIDATES.map(async (candidate): Promise<string | undefined> => {
      if (!listed.has(candidate.encoder)) return `not built into ${ffmpegPath}`;
      if (!candidate.hardware) return undefined;
      let device: string | undefined;
      if (candidate.encoder === 'h264_vaapi') {
        device = renderNode(driDir);
        if (device === undefined) return `no render node in ${driDir}`;
      }
      const trial = await run(ffmpegPath, trialArgs(candidate.encoder, device), timeoutMs);
      return trial.ok ? undefined : `trial encode failed: ${trial.error}`;
    }),
  );
  const usable: DetectedEncoder[] = [];
  const unusable: UnusableEncoder[] = [];
  CANDIDATES.forEach((candidate, index) => {
    const reason = verdicts[index];
    if (reason === undefined) usable.push({ ...candidate });
    else unusable.push({ ...candidate, reason });
  });
  return { ffmpegPath, usable, unusable, tookMs: Math.round(performance.now() - startedAt) };
}

/** Encoder names from `ffmpeg -encoders`: lines like " V....D libx264   libx264 H.264 / AVC ...". */
export function parseEncoderList(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^ ([VAS][A-Z.]{5}) (\S+)/.exec(line);
    if (match && match[2] !== '=') names.add(match[2]!);
  }
  return names;
}

/** One small frame through the encoder into nothing: what fails fast when there is no device or driver. */
function trialArgs(encoder: string, device: string | undefined): string[] {
  const input = ['-f', 'lavfi', '-i', 'testsrc=size=256x144:rate=1'];
  const common = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  if (encoder === 'h264_vaapi') {
    return [...common, '-vaapi_device', device!, ...input, '-frames:v', '1', '-vf', 'format=nv12,hwupload', '-c:v', encoder, '-f', 'null', '-'];
  }
  return [...common, ...input, '-frames:v', '1', '-c:v', encoder, '-f', 'null', '-'];
}

function renderNode(driDir: string): string | undefined {
  try {
    const node = readdirSync(driDir).filter((name) => name.startsWith('renderD')).sort()[0];
    return node === undefined ? undefined : `${driDir}/${node}`;
  } catch {
    return undefined;
  }
}

function run(file: string, args: string[], timeoutMs: number): Promise<{ ok: true; stdout: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout });
      const detail = (error as { killed?: boolean }).killed
        ? `no answer within ${timeoutMs} ms`
        : stderr
            .trim()
            .split('\n')
            .map((line) => line.replace(/^\[[^\]]* @ 0x[0-9a-f]+\] /, ''))
            .filter(Boolean)
            .slice(-2)
            .join(' | ') || error.message;
      resolve({ ok: false, error: detail });
    });
  });
}
