import {
  GenericNack,
  RTCPeerConnection,
  RtcpPayloadSpecificFeedback,
  PictureLossIndication,
  RtcpTransportLayerFeedback,
  type RtpPacket,
} from 'werift';
import { peerConfig, sdpForIce, type IceOptions } from '../../src/ice.js';
import { LOOPBACK_ICE, waitConnected } from './test-publisher.js';

/** A WHEP-style viewer for tests: a werift peer with one receive-only video track that records what arrives. */
export class WeriftViewer {
  readonly packets: RtpPacket[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  private constructor(
    readonly pc: RTCPeerConnection,
    readonly viewerId: string,
  ) {}

  static async join(
    view: (offerSdp: string) => Promise<{ viewerId: string; answerSdp: string }>,
    ice: IceOptions = LOOPBACK_ICE,
  ): Promise<WeriftViewer> {
    const pc = new RTCPeerConnection(peerConfig(ice));
    const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const { viewerId, answerSdp } = await view(sdpForIce(pc.localDescription?.sdp ?? '', ice));
    const viewer = new WeriftViewer(pc, viewerId);
    transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((packet) => viewer.record(packet));
    });
    await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    await waitConnected(pc);
    return viewer;
  }

  /** Resolves once at least `count` packets have arrived. */
  async waitForPackets(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.packets.length >= count) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.packets.length} of ${count} packets after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  get remoteSsrc(): number | undefined {
    return this.packets[0]?.header.ssrc;
  }

  /** Sends a PLI for the received stream, as a browser does after losing a picture. */
  async sendPli(): Promise<void> {
    const feedback = new PictureLossIndication({ senderSsrc: 1, mediaSsrc: this.remoteSsrc ?? 0 });
    await this.transport().sendRtcp([new RtcpPayloadSpecificFeedback({ feedback })]);
  }

  /** Sends a full intra request (RFC 5104), the older way to ask for a keyframe; werift has no public class for it. */
  async sendFir(commandSequence = 1): Promise<void> {
    const fci = Buffer.alloc(16);
    fci.writeUInt32BE(1, 0); // our SSRC
    fci.writeUInt32BE(0, 4); // media source: unused in a FIR
    fci.writeUInt32BE(this.remoteSsrc ?? 0, 8);
    fci.writeUInt8(commandSequence & 0xff, 12);
    const feedback = { count: 4, length: 4, serialize: () => fci };
    await this.transport().sendRtcp([new RtcpPayloadSpecificFeedback({ feedback: feedback as unknown as PictureLossIndication })]);
  }

  /** Sends a NACK for the given sequence numbers, as a receiver does after a loss. */
  async sendNack(sequenceNumbers: number[]): Promise<void> {
    const feedback = new GenericNack({ senderSsrc: 1, mediaSourceSsrc: this.remoteSsrc ?? 0, lost: sequenceNumbers });
    await this.transport().sendRtcp([new RtcpTransportLayerFeedback({ feedback })]);
  }

  async close(): Promise<void> {
    await this.pc.close();
  }

  private transport() {
    const transport = this.pc.getTransceivers()[0]?.dtlsTransport;
    if (!transport) throw new Error('no transport');
    return transport;
  }

  private record(packet: RtpPacket): void {
    this.packets.push(packet);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i];
      if (waiter && this.packets.length >= waiter.count) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}
