import { MediaStreamTrack, RTCPeerConnection, type RTCRtpSender } from 'werift';
import { peerConfig, sdpForIce, type IceOptions } from '../../src/ice.js';
import { FfmpegRtpSource, type RtpSourceOptions } from './ffmpeg-rtp-source.js';

export const LOOPBACK_ICE: IceOptions = { loopbackOnly: true };

/** Waits until a werift peer connects, or fails after `timeoutMs`. */
export async function waitConnected(pc: RTCPeerConnection, timeoutMs = 15_000): Promise<void> {
  if (pc.connectionState === 'connected') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peer not connected after ${timeoutMs} ms (${pc.connectionState})`)), timeoutMs);
    const { unSubscribe } = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        unSubscribe();
        resolve();
      } else if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        unSubscribe();
        reject(new Error(`peer ${state}`));
      }
    });
  });
}

/**
 * A WHIP-style publisher for tests: a werift peer with one send-only H.264 track fed by ffmpeg's test pattern. It
 * counts what it sends and the keyframe requests it receives.
 */
export class TestPublisher {
  /** PLIs that arrived from the relay. */
  pliReceived = 0;

  private constructor(
    readonly pc: RTCPeerConnection,
    private readonly sender: RTCRtpSender,
    private readonly source: FfmpegRtpSource,
  ) {}

  /** Offers to `publish` (e.g. relay.acceptPublisher), applies its answer and starts ffmpeg. */
  static async start(
    publish: (offerSdp: string) => Promise<string>,
    options: RtpSourceOptions & { ice?: IceOptions } = {},
  ): Promise<TestPublisher> {
    const pc = new RTCPeerConnection(peerConfig(options.ice ?? LOOPBACK_ICE));
    const track = new MediaStreamTrack({ kind: 'video' });
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const ice = options.ice ?? LOOPBACK_ICE;
    const answerSdp = await publish(sdpForIce(pc.localDescription?.sdp ?? '', ice));
    await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    await waitConnected(pc);
    const source = await FfmpegRtpSource.start((packet) => track.writeRtp(packet), options);
    const publisher = new TestPublisher(pc, transceiver.sender, source);
    transceiver.sender.onPictureLossIndication.subscribe(() => publisher.pliReceived++);
    return publisher;
  }

  /** RTP packets the sender put on the wire (retransmissions not included). */
  get packetsSent(): number {
    for (const stats of this.sender.collectStats(0)) {
      if (stats.type === 'outbound-rtp') return Number((stats as { packetsSent?: number }).packetsSent ?? 0);
    }
    return 0;
  }

  get ffmpegPid(): number | undefined {
    return this.source.pid;
  }

  async stop(): Promise<void> {
    await this.source.stop();
    await this.pc.close();
  }
}
