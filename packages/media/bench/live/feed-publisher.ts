import { CameraFeed, FeedRtpSource, PrivacyTranscoder, WhipClient } from '../../src/index.js';

/** How long the entry times of frames are kept for matching with the browser's presented frames. */
const FRAME_MEMORY = 3600;

export type PublishPath = 'passthrough' | 'transcode';

/**
 * The edge's two live paths, as the edge runs them: a CameraFeed reads the "camera" (an H.264 clip played in a loop
 * at its own rate, standing in for an RTSP camera) and either passes its H.264 through (FeedRtpSource) or re-encodes
 * it through a PrivacyTranscoder (a privacy mask in one corner, so the picture really is processed). Remembers when
 * each picture entered the edge (the feed received it from ffmpeg), by RTP timestamp, which is the picture's pts:
 * the marker the browser reads back from requestVideoFrameCallback.
 */
export class FeedPublisher {
  readonly sentAt = new Map<number, number>();

  private constructor(
    readonly feed: CameraFeed,
    readonly transcoder: PrivacyTranscoder | undefined,
    readonly client: WhipClient,
  ) {}

  static async start(whipUrl: string, clip: string, path: PublishPath): Promise<FeedPublisher> {
    const feed = new CameraFeed({ source: `loop:${clip}` });
    feed.start();
    const transcoder =
      path === 'transcode' ? new PrivacyTranscoder({ feed, masks: [[[0, 0], [0.1, 0], [0.1, 0.1], [0, 0.1]]], bitrateKbps: 1500, gopSeconds: 1 }) : undefined;
    transcoder?.start();
    const rtp = new FeedRtpSource({ source: transcoder ?? feed });
    const client = new WhipClient({ url: whipUrl, token: 'bench', encoder: rtp, ice: { loopbackOnly: true } });
    const publisher = new FeedPublisher(feed, transcoder, client);
    feed.subscribe((unit) => publisher.noteEntered(unit.pts % 2 ** 32, unit.receivedAt));
    await client.start();
    await client.whenConnected(20_000);
    return publisher;
  }

  async stop(): Promise<void> {
    await this.client.stop();
    await this.transcoder?.stop();
    await this.feed.stop();
  }

  private noteEntered(rtpTimestamp: number, wallMs: number): void {
    this.sentAt.set(rtpTimestamp, wallMs);
    if (this.sentAt.size > FRAME_MEMORY) {
      const oldest = this.sentAt.keys().next().value;
      if (oldest !== undefined) this.sentAt.delete(oldest);
    }
  }
}
