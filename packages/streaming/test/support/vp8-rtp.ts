import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRtpHeader } from '@sightline/media';
import { Vp8RtpPayload } from 'werift';

export interface ReassembledFrame {
  rtpTimestamp: number;
  data: Buffer;
  /** werift's reading of the payload header (P bit) on the frame's first packet. */
  keyframe: boolean;
  pictureId: number | undefined;
}

/**
 * VP8 RTP packets (in order) back into frames, with werift's RFC 7741 depacketizer: a frame starts at the packet with
 * S=1 and partition index 0 and ends at the marker; a frame with a missing sequence number is dropped.
 */
export function framesFromRtp(packets: Buffer[]): ReassembledFrame[] {
  const frames: ReassembledFrame[] = [];
  let current: { timestamp: number; parts: Buffer[]; keyframe: boolean; pictureId: number | undefined; nextSeq: number } | undefined;
  for (const packet of packets) {
    const header = readRtpHeader(packet);
    if (!header) throw new Error('not RTP');
    const vp8 = Vp8RtpPayload.deSerialize(packet.subarray(header.headerLength));
    if (vp8.isPartitionHead && vp8.pid === 0) {
      current = { timestamp: header.timestamp, parts: [], keyframe: vp8.isKeyframe, pictureId: vp8.pictureId, nextSeq: header.sequenceNumber };
    }
    if (!current || header.sequenceNumber !== current.nextSeq || header.timestamp !== current.timestamp) {
      current = undefined;
      continue;
    }
    current.parts.push(vp8.payload);
    current.nextSeq = (current.nextSeq + 1) & 0xffff;
    if (header.marker) {
      frames.push({ rtpTimestamp: current.timestamp, data: Buffer.concat(current.parts), keyframe: current.keyframe, pictureId: current.pictureId });
      current = undefined;
    }
  }
  return frames;
}

/** Frames into an IVF file (90 kHz time base, pts = the RTP timestamp's growth from the first frame). */
export function writeIvf(frames: { rtpTimestamp: number; data: Buffer }[], width: number, height: number): Buffer {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0, 'latin1');
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(32, 6);
  header.write('VP80', 8, 'latin1');
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(90_000, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(frames.length, 24);
  const first = frames[0]?.rtpTimestamp ?? 0;
  const parts = [header];
  for (const frame of frames) {
    const head = Buffer.alloc(12);
    head.writeUInt32LE(frame.data.length, 0);
    head.writeBigUInt64LE(BigInt((frame.rtpTimestamp - first) >>> 0), 4);
    parts.push(head, frame.data);
  }
  return Buffer.concat(parts);
}

export interface ProbedFrame {
  keyframe: boolean;
  width: number;
  height: number;
}

/** ffprobe's frames of an IVF file (decoded: a frame it cannot decode is missing), and ffmpeg's decode errors. */
export async function probeIvf(ivf: Buffer): Promise<{ frames: ProbedFrame[]; decodeErrors: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'vp8-probe-'));
  try {
    const file = join(dir, 'video.ivf');
    writeFileSync(file, ivf);
    const probe = await run('ffprobe', ['-v', 'error', '-show_entries', 'frame=key_frame,width,height', '-of', 'csv=p=0', file]);
    const frames = probe.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [key, width, height] = line.split(',').map(Number);
        return { keyframe: key === 1, width: width!, height: height! };
      });
    // Every frame decoded and passed on with its own timestamp (the default would round them to a guessed frame rate).
    const decode = await run('ffmpeg', ['-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-enc_time_base', '1:90000', '-f', 'null', '-']);
    return { frames, decodeErrors: decode.stderr.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', () => resolve({ stdout, stderr }));
  });
}
