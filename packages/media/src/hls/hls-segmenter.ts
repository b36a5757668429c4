import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ForwardedPacket } from '../relay/gop-cache.js';
import type { RelayCodec } from '../relay/codec-choice.js';
import { reapOnExit, withParentDeathSignal } from '../publish/child-reaper.js';

export interface HlsSegmenterOptions {
  /** Where the playlist (index.m3u8), init.mp4 and the segments are written; emptied on start and stop. */
  dir: string;
  codec: RelayCodec;
  /** Target segment length; segments cut at keyframes, so the edge's GOP (1 s) is the floor. Default 1. */
  segmentSeconds?: number;
  /** Segments kept in the live playlist. Default 6. */
  listSize?: number;
  /**
   * A recording rather than a live rendition: one fragmented MP4 (`archivePath`) with a fragment every second,
   * keyframe or not (a stream with intra refresh has almost none), so what was written plays even if ffmpeg is
   * killed; stop() lets ffmpeg finish the file and leaves it in place.
   */
  archive?: boolean;
  ffmpegPath?: string;
  log?: { warn(details: object, message: string): void };
}

const PAYLOAD_TYPE = 96;

/**
 * Turns a relay's packets into an HLS rendition (fragmented MP4 segments) without transcoding: the packets go over
 * loopback UDP into an ffmpeg that reads them as RTP described by an SDP file and copies the video into segments.
 */
export class HlsSegmenter {
  private socket?: Socket;
  private ffmpeg?: ChildProcess;
  private port = 0;
  private readonly ssrc = (Math.random() * 0xffffffff) >>> 0;
  private stopped = false;
  packets = 0;

  constructor(private readonly options: HlsSegmenterOptions) {}

  get playlistPath(): string {
    return join(this.options.dir, 'index.m3u8');
  }

  get archivePath(): string {
    return join(this.options.dir, 'archive.mp4');
  }

  async start(): Promise<void> {
    const { dir, codec } = this.options;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // The sending socket is bound first, so the port picked for ffmpeg cannot be its own.
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    this.port = await freeUdpPort();
    // stop() may have come while the sockets were being bound: then nothing may be started (no ffmpeg to leak).
    if (this.stopped) {
      socket.close();
      return;
    }
    this.socket = socket;
    const encoding = codec.name === 'vp8' ? 'VP8/90000' : 'H264/90000';
    const fmtp = codec.name === 'vp8' ? '' : `a=fmtp:${PAYLOAD_TYPE} packetization-mode=1\n`;
    const sdpPath = join(dir, 'input.sdp');
    writeFileSync(
      sdpPath,
      `v=0\no=- 0 0 IN IP4 127.0.0.1\ns=sightline\nc=IN IP4 127.0.0.1\nt=0 0\nm=video ${this.port} RTP/AVP ${PAYLOAD_TYPE}\na=rtpmap:${PAYLOAD_TYPE} ${encoding}\n${fmtp}`,
    );
    const segment = this.options.segmentSeconds ?? 1;
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-protocol_whitelist', 'file,udp,rtp',
      '-fflags', '+genpts',
      '-reorder_queue_size', '64',
      '-i', sdpPath,
      '-map', '0:v:0', '-c:v', 'copy',
      ...(this.options.archive
        ? ['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '1000000', '-flush_packets', '1', this.archivePath]
        : [
            '-f', 'hls',
            '-hls_time', String(segment),
            '-hls_list_size', String(this.options.listSize ?? 6),
            '-hls_flags', 'delete_segments+independent_segments+program_date_time',
            '-hls_segment_type', 'fmp4',
            '-hls_fmp4_init_filename', 'init.mp4',
            '-hls_segment_filename', join(dir, 'seg%06d.m4s'),
            this.playlistPath,
          ]),
    ];
    const { command, args: launchArgs } = withParentDeathSignal(this.options.ffmpegPath ?? 'ffmpeg', args);
    const child = spawn(command, launchArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.ffmpeg = child;
    reapOnExit(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    // Without a listener a failed spawn (EAGAIN, EMFILE, no setpriv and no ffmpeg) is an uncaught 'error'.
    child.once('error', (err) => this.options.log?.warn({ err: err.message }, 'hls segmenter could not start ffmpeg'));
    child.once('exit', (code) => {
      if (!this.stopped) this.options.log?.warn({ code, stderr }, 'hls segmenter ended');
    });
  }

  push(packet: ForwardedPacket): void {
    if (!this.socket || this.stopped) return;
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (packet.marker ? 0x80 : 0) | PAYLOAD_TYPE;
    header.writeUInt16BE(packet.sequenceNumber & 0xffff, 2);
    header.writeUInt32BE(packet.timestamp >>> 0, 4);
    header.writeUInt32BE(this.ssrc, 8);
    this.packets++;
    this.socket.send([header, packet.payload], this.port, '127.0.0.1');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.socket?.close();
    const child = this.ffmpeg;
    // No pid: the spawn failed, and no 'exit' will come.
    if (child && child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (this.options.archive) {
        // SIGINT: ffmpeg writes the last segment and closes the playlist; a stuck one is killed after 5 s.
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      } else {
        child.kill('SIGKILL');
        await exited;
      }
    }
    if (!this.options.archive) rmSync(this.options.dir, { recursive: true, force: true });
  }
}

/** A UDP port free right now on loopback (ffmpeg binds it from the SDP a moment later). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
