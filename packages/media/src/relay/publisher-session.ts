import { RTCPeerConnection, type RTCDataChannel, type RTCRtpReceiver, type RtpPacket } from 'werift';
import { peerConfig, sdpForIce, type IceOptions } from '../ice.js';
import { choosePublisherCodec, relayCodecName, type RelayCodec } from './codec-choice.js';
import { RelayNegotiationError, relayPeerConfig } from './negotiation.js';

export interface PublisherSessionHooks {
  onRtp(publisher: PublisherSession, packet: RtpPacket): void;
  onConnected(publisher: PublisherSession): void;
  onGone(publisher: PublisherSession): void;
}

export interface PublisherSessionOptions {
  /** Tells this publisher's packets from an earlier one's. */
  generation: number;
  ice: IceOptions;
  offerSdp: string;
  connectTimeoutMs: number;
  /** A connected publisher that sends neither RTP nor RTCP for this long has gone. */
  silenceTimeoutMs: number;
  hooks: PublisherSessionHooks;
}

/** The one WHIP upstream of a relay: a werift peer that receives a single video track. */
export class PublisherSession {
  private connected = false;
  private closed = false;
  private mediaSsrc: number | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private lastHeardAt = 0;
  /** Data channels the publisher opened (cloud streaming: the session's input channels), by label. */
  private readonly channels = new Map<string, RTCDataChannel>();

  private constructor(
    readonly generation: number,
    readonly codec: RelayCodec,
    private readonly pc: RTCPeerConnection,
    private readonly receiver: RTCRtpReceiver,
    private readonly hooks: PublisherSessionHooks,
  ) {}

  static async answer(options: PublisherSessionOptions): Promise<{ session: PublisherSession; answerSdp: string }> {
    const pc = new RTCPeerConnection(relayPeerConfig(peerConfig(options.ice)));
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: options.offerSdp }).catch((error: unknown) => {
        throw new RelayNegotiationError('invalid-offer', `cannot apply the publisher's offer: ${String(error)}`);
      });
      const transceiver = pc.getTransceivers().find((t) => t.kind === 'video');
      if (!transceiver) throw new RelayNegotiationError('no-video', 'the offer has no video section');
      const chosen = choosePublisherCodec(transceiver.codecs);
      const name = chosen && relayCodecName(chosen);
      if (!chosen || !name) {
        throw new RelayNegotiationError('no-common-codec', 'the publisher offers neither H.264 (packetization-mode 1) nor VP8');
      }
      // Answer with exactly one codec, so the publisher's stream is the one every viewer is negotiated for.
      transceiver.codecs = [chosen];
      await pc.setLocalDescription(await pc.createAnswer());
      const answerSdp = pc.localDescription?.sdp;
      if (!answerSdp) throw new RelayNegotiationError('invalid-offer', 'no answer was produced');
      const codec: RelayCodec = { name, parameters: chosen.parameters ?? '' };
      const session = new PublisherSession(options.generation, codec, pc, transceiver.receiver, options.hooks);
      session.watch(options.connectTimeoutMs, options.silenceTimeoutMs);
      return { session, answerSdp: sdpForIce(answerSdp, options.ice) };
    } catch (error) {
      await pc.close().catch(() => undefined);
      throw error;
    }
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Sends a PLI upstream; false when there is no stream to ask yet. */
  requestKeyframe(): boolean {
    if (!this.connected || this.mediaSsrc === undefined) return false;
    this.receiver.sendRtcpPLI(this.mediaSsrc).catch(() => undefined);
    return true;
  }

  /** Sends on the publisher's data channel of that label; false when it has none open. */
  send(label: string, data: string | Buffer): boolean {
    const channel = this.channels.get(label);
    if (!channel || channel.readyState !== 'open') return false;
    channel.send(data);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    clearTimeout(this.connectTimer);
    clearInterval(this.silenceTimer);
    await this.pc.close().catch(() => undefined);
  }

  private watch(connectTimeoutMs: number, silenceTimeoutMs: number): void {
    this.connectTimer = setTimeout(() => {
      if (!this.connected) this.hooks.onGone(this);
    }, connectTimeoutMs);
    this.connectTimer.unref();
    this.pc.connectionStateChange.subscribe((state) => {
      if (this.closed) return;
      if (state === 'connected' && !this.connected) {
        clearTimeout(this.connectTimer);
        this.connected = true;
        this.watchSilence(silenceTimeoutMs);
        this.hooks.onConnected(this);
      } else if (state === 'failed' || state === 'closed') {
        this.hooks.onGone(this);
      }
    });
    this.receiver.track.onReceiveRtp.subscribe((packet) => {
      if (this.closed) return;
      this.mediaSsrc = packet.header.ssrc;
      this.lastHeardAt = performance.now();
      this.hooks.onRtp(this, packet);
    });
    this.receiver.dtlsTransport.onRtcp.subscribe(() => {
      this.lastHeardAt = performance.now();
    });
    this.pc.onDataChannel.subscribe((channel) => {
      this.channels.set(channel.label, channel);
      channel.stateChanged.subscribe((state) => {
        if (state === 'closed' && this.channels.get(channel.label) === channel) this.channels.delete(channel.label);
      });
    });
  }

  /** An edge that crashes or loses its network says goodbye to nobody; its packets just stop. */
  private watchSilence(silenceTimeoutMs: number): void {
    this.lastHeardAt = performance.now();
    this.silenceTimer = setInterval(() => {
      if (performance.now() - this.lastHeardAt > silenceTimeoutMs) {
        clearInterval(this.silenceTimer);
        this.hooks.onGone(this);
      }
    }, Math.min(1000, silenceTimeoutMs / 2));
    this.silenceTimer.unref();
  }
}
