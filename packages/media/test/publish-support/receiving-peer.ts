import { RTCPeerConnection, type MediaStreamTrack, type RTCRtpTransceiver, type RtpPacket } from 'werift';
import { peerConfig } from '../../src/ice.js';

/** What the receiving side saw of one RTP packet. */
export interface ReceivedPacket {
  at: number;
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
}

/**
 * A werift peer that receives one video track (recvonly): as the hub's side of WHIP it answers a publisher's offer,
 * as a WHEP viewer it makes the offer. Every ICE candidate is in the SDP (no trickle). It records the RTP it gets and
 * can send PLI back.
 */
export class ReceivingPeer {
  readonly received: ReceivedPacket[] = [];
  readonly pc: RTCPeerConnection;
  #track: MediaStreamTrack | undefined;
  #transceiver: RTCRtpTransceiver | undefined;
  #listeners = new Set<(packet: ReceivedPacket) => void>();

  private constructor() {
    this.pc = new RTCPeerConnection(peerConfig({ loopbackOnly: true }));
    this.pc.onTrack.subscribe((track) => {
      this.#track = track;
      this.#transceiver = this.pc.getTransceivers().find((t) => t.receiver.track === track) ?? this.pc.getTransceivers()[0];
      track.onReceiveRtp.subscribe((rtp: RtpPacket) => {
        const packet = {
          at: performance.now(),
          sequenceNumber: rtp.header.sequenceNumber,
          timestamp: rtp.header.timestamp,
          marker: rtp.header.marker,
          payload: rtp.payload,
        };
        this.received.push(packet);
        for (const listener of this.#listeners) listener(packet);
      });
    });
  }

  /** The WHIP side: answer a publisher's offer. */
  static async answer(offerSdp: string): Promise<{ peer: ReceivingPeer; answerSdp: string }> {
    const peer = new ReceivingPeer();
    const { pc } = peer;
    await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await peer.#gathered();
    return { peer, answerSdp: pc.localDescription!.sdp };
  }

  /** The WHEP side: a viewer's recvonly offer; pass the relay's answer to accept(). */
  static async offer(): Promise<{ peer: ReceivingPeer; offerSdp: string }> {
    const peer = new ReceivingPeer();
    const { pc } = peer;
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await peer.#gathered();
    return { peer, offerSdp: pc.localDescription!.sdp };
  }

  async accept(answerSdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  }

  #gathered(): Promise<void> {
    const { pc } = this;
    return new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
        if (state !== 'complete') return;
        unSubscribe();
        resolve();
      });
    });
  }

  onPacket(listener: (packet: ReceivedPacket) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the first packet matching `predicate` from now on. */
  nextPacket(predicate: (packet: ReceivedPacket) => boolean, timeoutMs: number): Promise<ReceivedPacket> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no matching packet within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onPacket((packet) => {
        if (!predicate(packet)) return;
        clearTimeout(timer);
        off();
        resolve(packet);
      });
    });
  }

  get ssrc(): number | undefined {
    return this.#track?.ssrc;
  }

  async sendPli(): Promise<void> {
    const ssrc = this.ssrc;
    if (ssrc === undefined || this.#transceiver === undefined) throw new Error('no track yet');
    await this.#transceiver.receiver.sendRtcpPLI(ssrc);
  }

  async close(): Promise<void> {
    await this.pc.close();
  }
}
