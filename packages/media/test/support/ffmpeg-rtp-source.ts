import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface RtpSourceOptions {
  width?: number;
  height?: number;
  fps?: number;
  /** Frames between keyframes. */
  gop?: number;
}

/** ffmpeg children of this process, killed on exit whatever happens to the tests. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * A live H.264 RTP stream from ffmpeg's test pattern, received on a loopback UDP socket: what an edge encoder
 * produces, for feeding a werift track in tests.
 */
export class FfmpegRtpSource {
  private constructor(
    private readonly socket: Socket,
    private readonly child: ChildProcess,
  ) {}

  static async start(onPacket: (packet: Buffer) => void, options: RtpSourceOptions = {}): Promise<FfmpegRtpSource> {
    const { width = 640, height = 360, fps = 30, gop = 30 } = options;
    const socket = createSocket('udp4');
    socket.on('message', onPacket);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const port = (socket.address() as AddressInfo).port;
    const args = [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re'],
      // Bounded, so that even an ffmpeg orphaned by a killed test worker ends by itself.
      ...['-f', 'lavfi', '-t', '120', '-i', `testsrc=size=${width}x${height}:rate=${fps}`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline'],
      ...['-pix_fmt', 'yuv420p', '-g', String(gop), '-bsf:v', 'dump_extra=freq=keyframe'],
      ...['-f', 'rtp', '-payload_type', '96', `rtp://127.0.0.1:${port}?pkt_size=1200`],
    ];
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[ffmpeg] ${chunk.toString()}`));
    return new FfmpegRtpSource(socket, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGKILL');
      await exited;
    }
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
