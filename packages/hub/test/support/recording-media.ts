import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The frame rate and keyframe interval of the generated test video: a keyframe every second. */
export const TEST_FPS = 15;
export const FRAME_MS = 1000 / TEST_FPS;

/**
 * Self-contained fragmented MP4 segments of `seconds` each, as the edge recorder writes them (H.264, keyframe every
 * second, each segment's timestamps starting at 0), generated from ffmpeg's test pattern: no media in the repository.
 */
export async function makeSegments(dir: string, count: number, seconds: number): Promise<Buffer[]> {
  await run('ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=${TEST_FPS}`,
    '-t', String(count * seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(TEST_FPS), '-pix_fmt', 'yuv420p',
    '-f', 'segment', '-segment_time', String(seconds), '-reset_timestamps', '1',
    '-segment_format', 'mp4', '-segment_format_options', 'movflags=frag_keyframe+empty_moov+default_base_moof',
    join(dir, 'seg_%03d.mp4'),
  ]);
  const names = readdirSync(dir).filter((n) => n.startsWith('seg_')).sort();
  if (names.length !== count) throw new Error(`expected ${count} segments, ffmpeg wrote ${names.length}`);
  return names.map((n) => readFileSync(join(dir, n)));
}

export interface Probe {
  durationS: number;
  frames: number;
  width: number;
  codec: string;
}

/** ffprobe of an MP4: container duration and the decoded frame count of its video. */
export async function probeVideo(path: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-count_frames', '-select_streams', 'v:0',
    '-show_entries', 'format=duration:stream=nb_read_frames,width,codec_name', '-of', 'json', path,
  ]);
  const json = JSON.parse(stdout) as { format: { duration: string }; streams: { nb_read_frames: string; width: number; codec_name: string }[] };
  const stream = json.streams[0]!;
  return { durationS: Number(json.format.duration), frames: Number(stream.nb_read_frames), width: stream.width, codec: stream.codec_name };
}
