import { RtpEncoder, WhipClient } from '../../src/index.js';

/** How long the send times of frames are kept for matching with the browser's presented frames. */
const FRAME_MEMORY = 3600;

/**
 * The edge side: ffmpeg's testsrc2 at 720p30, x264 ultrafast zerolatency baseline about 1.5 Mbit/s (RtpEncoder),
 * sent over WHIP (WhipClient) to the relay. Remembers when the first packet of each frame left the encoder (wall
 * clock, ms), by RTP timestamp: the marker the browser reads back from requestVideoFrameCallback.
 */
export class BenchPublisher {
  readonly sentAt = new Map<number, number>();
  private constructor(
    readonly encoder: RtpEncoder,
    readonly client: WhipClient,
  ) {}

  static async start(whipUrl: string, options: { width: number; height: number; fps: number; bitrateKbps: number }): Promise<BenchPublisher> {
    const encoder = new RtpEncoder({
      source: `lavfi:testsrc2=size=${options.width}x${options.height}:rate=${options.fps}`,
      width: options.width,
      height: options.height,
      fps: options.fps,
      bitrateKbps: options.bitrateKbps,
      gopSeconds: 1,
    });
    const client = new WhipClient({ url: whipUrl, token: 'bench', encoder, ice: { loopbackOnly: true } });
    const publisher = new BenchPublisher(encoder, client);
    encoder.on('rtp', (packet: Buffer) => publisher.noteSent(packet));
    await client.start();
    await client.whenConnected(20_000);
    return publisher;
  }

  async stop(): Promise<void> {
    await this.client.stop();
  }

  private noteSent(packet: Buffer): void {
    const timestamp = packet.readUInt32BE(4);
    if (this.sentAt.has(timestamp)) return;
    this.sentAt.set(timestamp, performance.timeOrigin + performance.now());
    if (this.sentAt.size > FRAME_MEMORY) {
      const oldest = this.sentAt.keys().next().value;
      if (oldest !== undefined) this.sentAt.delete(oldest);
    }
  }
}
