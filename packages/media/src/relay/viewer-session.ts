import {
  PictureLossIndication,
  ReceiverEstimatedMaxBitrate,
  RtcpRrPacket,
  RTCPeerConnection,
  RtcpPayloadSpecificFeedback,
  RtpHeader,
  RtpPacket,
  type RTCRtpSender,
  type RtcpPacket,
} from 'werift';
import { peerConfig, sdpForIce, type IceOptions } from '../ice.js';
import { chooseViewerCodec, type RelayCodec } from './codec-choice.js';
import { FastRtpSender } from './fast-path/fast-rtp-sender.js';
import type { ForwardedPacket } from './gop-cache.js';
import { RelayNegotiationError, relayPeerConfig } from './negotiation.js';

/**
 * How a viewer's packets go out: `fast` protects and sends them itself after werift's DTLS handshake (see
 * FastRtpSender), `werift` through werift's RTCRtpSender.sendRtp. A viewer whose SRTP profile the fast path does not
 * implement uses werift's sender whatever was asked.
 */
export type RelayForwarding = 'fast' | 'werift';

/** The timestamp step between two publishers' streams: one frame at 30 fps on the 90 kHz video clock. */
const SOURCE_SWITCH_GAP_TICKS = 3000;
/** A new publisher whose timestamps continue up to this far (10 minutes) after the last ones keeps them. */
const MAX_KEPT_TIMESTAMP_JUMP = 10 * 60 * 90_000;

export interface ViewerSessionHooks {
  /** The viewer lost a picture (PLI or FIR) or needs one to start. */
  onKeyframeNeeded(viewer: ViewerSession): void;
  /** DTLS is up: media may flow. */
  onConnected(viewer: ViewerSession): void;
  /** The connection failed, closed or never came up. */
  onGone(viewer: ViewerSession): void;
  /** A message on a data channel the viewer opened (cloud streaming input), with the channel's label. */
  onMessage?(viewer: ViewerSession, label: string, data: string | Buffer): void;
  /** What the viewer's receiver says about the network: its bandwidth estimate (REMB) or the loss it reports. */
  onFeedback?(viewer: ViewerSession, feedback: ViewerFeedback): void;
}

/** One piece of a viewer's receiver feedback. */
export type ViewerFeedback = { kind: 'remb'; bitrateBps: number } | { kind: 'loss'; fractionLost: number; jitter: number };

export interface ViewerSessionOptions {
  id: string;
  ice: IceOptions;
  offerSdp: string;
  codec: RelayCodec;
  connectTimeoutMs: number;
  /** A connected viewer that sends no RTCP (receiver reports) for this long has gone. */
  silenceTimeoutMs: number;
  forwarding: RelayForwarding;
  hooks: ViewerSessionHooks;
}

/**
 * One WHEP viewer: a werift peer with a single send-only video track. The relay hands it every packet; the session
 * keeps the viewer's RTP stream continuous (one SSRC, one sequence and timestamp line) across publisher changes and
 * starts each stream on a keyframe. Packets leave through a FastRtpSender (its own SRTP, history for NACKs and sender
 * reports) once DTLS is up, or through werift's RTCRtpSender, which answers NACKs from its own 128-packet history.
 */
export class ViewerSession {
  private live = false;
  private closed = false;
  private generation: number | undefined;
  private seqOffset = 0;
  private timestampOffset = 0;
  private lastSequenceNumber: number | undefined;
  private lastTimestamp: number | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private lastRtcpAt = 0;
  private fastSender: FastRtpSender | undefined;

  private constructor(
    readonly id: string,
    readonly codec: RelayCodec,
    private readonly pc: RTCPeerConnection,
    private readonly sender: RTCRtpSender,
    private readonly forwarding: RelayForwarding,
    private readonly hooks: ViewerSessionHooks,
  ) {}

  static async answer(options: ViewerSessionOptions): Promise<{ session: ViewerSession; answerSdp: string }> {
    const pc = new RTCPeerConnection(relayPeerConfig(peerConfig(options.ice)));
    try {
      const transceiver = pc.addTransceiver('video', { direction: 'sendonly' });
      await pc.setRemoteDescription({ type: 'offer', sdp: options.offerSdp }).catch((error: unknown) => {
        throw new RelayNegotiationError('invalid-offer', `cannot apply the viewer's offer: ${String(error)}`);
      });
      if (transceiver.mid == null) {
        throw new RelayNegotiationError('no-video', 'the offer has no video section the relay can send to');
      }
      const codec = chooseViewerCodec(transceiver.codecs, options.codec);
      if (!codec) {
        throw new RelayNegotiationError(
          'no-common-codec',
          `the viewer does not accept ${options.codec.name === 'h264' ? 'H.264 (packetization-mode 1)' : 'VP8'}, the camera's codec`,
        );
      }
      // werift keeps every codec the offer shares with us and sends with the first; the stream has exactly one.
      transceiver.codecs = [codec];
      transceiver.sender.codec = codec;
      await pc.setLocalDescription(await pc.createAnswer());
      const answerSdp = pc.localDescription?.sdp;
      if (!answerSdp) throw new RelayNegotiationError('invalid-offer', 'no answer was produced');
      const session = new ViewerSession(options.id, options.codec, pc, transceiver.sender, options.forwarding, options.hooks);
      session.watch(options.connectTimeoutMs, options.silenceTimeoutMs);
      return { session, answerSdp: sdpForIce(answerSdp, options.ice) };
    } catch (error) {
      await pc.close().catch(() => undefined);
      throw error;
    }
  }

  get isLive(): boolean {
    return this.live;
  }

  /** The path this viewer's packets take; undefined until it is connected. */
  get forwardingPath(): RelayForwarding | undefined {
    if (!this.live) return undefined;
    return this.fastSender ? 'fast' : 'werift';
  }

  /** Packets resent in answer to this viewer's NACKs (by the fast sender or werift's). */
  get retransmissions(): number {
    let count = this.fastSender?.retransmissions ?? 0;
    for (const stats of this.sender.collectStats(0)) {
      if (stats.type === 'outbound-rtp') count += Number((stats as { retransmittedPacketsSent?: number }).retransmittedPacketsSent ?? 0);
    }
    return count;
  }

  /**
   * Sends one packet of the given publisher generation. A new generation (the first packets, or a replaced
   * publisher) starts only at a keyframe, so the decoder never sees a stream it cannot decode. `burst`: one of many
   * packets sent at once (the cached GOP for a joining viewer). Returns whether the packet was sent.
   */
  forward(packet: ForwardedPacket, generation: number, burst = false): boolean {
    if (!this.live) return false;
    if (generation !== this.generation) {
      if (!packet.keyframeStart) return false;
      this.startGeneration(packet, generation);
    }
    const sequenceNumber = (packet.sequenceNumber + this.seqOffset) & 0xffff;
    const timestamp = (packet.timestamp + this.timestampOffset) >>> 0;
    this.lastSequenceNumber = sequenceNumber;
    this.lastTimestamp = timestamp;
    if (this.fastSender) {
      this.fastSender.send(sequenceNumber, timestamp, packet.marker, packet.payload, burst);
    } else {
      // The sender writes the negotiated payload type and its SSRC.
      const header = new RtpHeader({ payloadType: 0, sequenceNumber, timestamp, marker: packet.marker });
      this.sender.sendRtp(new RtpPacket(header, packet.payload)).catch(() => undefined);
    }
    return true;
  }

  /** Waiting for a keyframe of the current publisher before anything can be shown. */
  get waitsForKeyframe(): boolean {
    return this.live && this.generation === undefined;
  }

  /** Forget the current stream: the next packets come from another publisher. */
  sourceChanged(): void {
    this.generation = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.live = false;
    this.fastSender?.close();
    clearTimeout(this.connectTimer);
    clearInterval(this.silenceTimer);
    await this.pc.close().catch(() => undefined);
  }

  private startGeneration(first: ForwardedPacket, generation: number): void {
    if (this.lastSequenceNumber === undefined || this.lastTimestamp === undefined) {
      this.seqOffset = 0;
      this.timestampOffset = 0;
    } else {
      this.seqOffset = (this.lastSequenceNumber + 1 - first.sequenceNumber) & 0xffff;
      // A publisher that carries on its timeline (the edge reconnected; its timestamps are its camera's pts) keeps
      // its own timestamps: overlays are keyed by them. Only a stream that would jump back in time is moved.
      const ahead = (first.timestamp - this.lastTimestamp) >>> 0;
      this.timestampOffset = ahead > 0 && ahead <= MAX_KEPT_TIMESTAMP_JUMP ? 0 : (this.lastTimestamp + SOURCE_SWITCH_GAP_TICKS - first.timestamp) >>> 0;
    }
    this.generation = generation;
  }

  private watch(connectTimeoutMs: number, silenceTimeoutMs: number): void {
    this.connectTimer = setTimeout(() => {
      if (!this.live) this.hooks.onGone(this);
    }, connectTimeoutMs);
    this.connectTimer.unref();
    this.pc.connectionStateChange.subscribe((state) => {
      if (this.closed) return;
      if (state === 'connected' && !this.live) {
        clearTimeout(this.connectTimer);
        if (this.forwarding === 'fast') this.fastSender = FastRtpSender.create(this.sender);
        this.live = true;
        this.watchSilence(silenceTimeoutMs);
        this.hooks.onConnected(this);
      } else if (state === 'failed' || state === 'closed') {
        this.hooks.onGone(this);
      }
    });
    if (this.hooks.onMessage) {
      const onMessage = this.hooks.onMessage;
      this.pc.onDataChannel.subscribe((channel) => {
        channel.onMessage.subscribe((data) => {
          if (!this.closed) onMessage(this, channel.label, data);
        });
      });
    }
    // The router gives the sender PLIs only; FIRs carry no media SSRC it could route, so read the transport.
    this.sender.dtlsTransport.onRtcp.subscribe((packet: RtcpPacket) => {
      this.lastRtcpAt = performance.now();
      if (this.live && isKeyframeRequest(packet)) this.hooks.onKeyframeNeeded(this);
      if (this.live && this.hooks.onFeedback) {
        const feedback = feedbackOf(packet);
        if (feedback) this.hooks.onFeedback(this, feedback);
      }
    });
  }

  /**
   * A viewer that closes its page or peer connection says nothing werift notices (no DTLS close, and ICE consent
   * expires only after 30 s), but its receiver reports, sent about every second, stop.
   */
  private watchSilence(silenceTimeoutMs: number): void {
    this.lastRtcpAt = performance.now();
    this.silenceTimer = setInterval(() => {
      if (performance.now() - this.lastRtcpAt > silenceTimeoutMs) {
        clearInterval(this.silenceTimer);
        this.hooks.onGone(this);
      }
    }, Math.min(1000, silenceTimeoutMs / 2));
    this.silenceTimer.unref();
  }
}

/** RFC 5104 FIR (werift parses it but does not export the class). */
const FULL_INTRA_REQUEST_FMT = 4;

/** REMB (Chrome's receive-side estimate, negotiated as goog-remb) and receiver-report loss (RFC 3550, 0..1). */
function feedbackOf(packet: RtcpPacket): ViewerFeedback | undefined {
  if (packet.type === RtcpPayloadSpecificFeedback.type) {
    const message = (packet as RtcpPayloadSpecificFeedback).feedback;
    if (message instanceof ReceiverEstimatedMaxBitrate) return { kind: 'remb', bitrateBps: Number(message.bitrate) };
    return undefined;
  }
  if (packet.type === RtcpRrPacket.type) {
    const report = (packet as RtcpRrPacket).reports[0];
    if (report) return { kind: 'loss', fractionLost: report.fractionLost / 256, jitter: report.jitter };
  }
  return undefined;
}

function isKeyframeRequest(packet: RtcpPacket): boolean {
  if (packet.type !== RtcpPayloadSpecificFeedback.type) return false;
  const count = (packet as RtcpPayloadSpecificFeedback).feedback.count;
  return count === PictureLossIndication.count || count === FULL_INTRA_REQUEST_FMT;
}
