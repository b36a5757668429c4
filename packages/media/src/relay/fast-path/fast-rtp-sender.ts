import {
  GenericNack,
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
  SourceDescriptionChunk,
  SourceDescriptionItem,
  type RTCDtlsTransport,
  type RTCRtpSender,
  type RtcpPacket,
} from 'werift';
import { RolloverCounter } from './rollover-counter.js';
import { SentPacketRing, writeRtpHeader } from './sent-packet-ring.js';
import { createSrtpProtector, type ProtectedPieces, type SrtpProtector } from './srtp-protector.js';
import { iceConnectionOf, localSrtpKeys, senderDetails, udpRouteOf, type UdpRoute } from './werift-access.js';

/** About 1.3 s of a 1.5 Mbit/s stream: longer than a browser keeps asking for a lost packet. */
const DEFAULT_HISTORY_PACKETS = 256;
/** Sender reports let the browser map RTP timestamps to wall-clock time; once a second is plenty for video. */
const DEFAULT_SENDER_REPORT_INTERVAL_MS = 1000;
/** Seconds from 1900 (NTP's epoch) to 1970 (Unix's). */
const NTP_UNIX_OFFSET_MS = 2_208_988_800_000;
/** RTCP SDES item type CNAME. */
const SDES_CNAME = 1;

export interface FastRtpSenderOptions {
  historyPackets?: number;
  senderReportIntervalMs?: number;
}

type IceConnection = NonNullable<ReturnType<typeof iceConnectionOf>>;
type CandidatePair = IceConnection['nominated'];

/**
 * Sends one viewer's video without werift's RTCRtpSender, once werift has done ICE and DTLS: the RTP header is
 * written into a buffer the slot owns, the payload protected with the negotiated SRTP keys (see SrtpProtector) and
 * the pieces handed to the selected candidate pair's UDP socket in one gather `send`. Nothing per packet is a
 * promise, and nothing is serialized twice. It also does what werift's sender did for the viewer: answers NACKs from
 * its own history (the same bytes again) and sends sender reports with the SSRC werift announced in the SDP.
 */
export class FastRtpSender {
  private readonly ring: SentPacketRing;
  private readonly roc = new RolloverCounter();
  private readonly senderReportTimer: NodeJS.Timeout;
  private readonly unsubscribeRtcp: () => void;
  private pair: CandidatePair;
  private route: UdpRoute | undefined;
  private packetCount = 0;
  private octetCount = 0;
  private lastTimestamp = 0;
  private lastTimestampAt = 0;
  private retransmitted = 0;
  private closed = false;

  private constructor(
    private readonly dtls: RTCDtlsTransport,
    private readonly ice: IceConnection,
    private readonly protector: SrtpProtector,
    private readonly ssrc: number,
    private readonly payloadType: number,
    private readonly clockRate: number,
    private readonly cname: string | undefined,
    options: FastRtpSenderOptions,
  ) {
    this.ring = new SentPacketRing(options.historyPackets ?? DEFAULT_HISTORY_PACKETS);
    this.unsubscribeRtcp = dtls.onRtcp.subscribe((packet) => this.onRtcp(packet)).unSubscribe;
    this.senderReportTimer = setInterval(() => this.sendSenderReport(), options.senderReportIntervalMs ?? DEFAULT_SENDER_REPORT_INTERVAL_MS);
    this.senderReportTimer.unref();
  }

  /**
   * A fast sender for a connected werift sender, or undefined when something it needs is missing: an SRTP profile
   * it does not implement, negotiated header extensions (it writes none), no ICE agent it can read. The caller then
   * keeps sending through werift.
   */
  static create(sender: RTCRtpSender, options: FastRtpSenderOptions = {}): FastRtpSender | undefined {
    const dtls = sender.dtlsTransport as RTCDtlsTransport | undefined;
    const codec = sender.codec;
    const { headerExtensionCount, cname } = senderDetails(sender);
    if (!dtls || dtls.state !== 'connected' || !codec || headerExtensionCount > 0) return undefined;
    const keys = localSrtpKeys(dtls);
    const protector = keys && createSrtpProtector(keys);
    const ice = iceConnectionOf(dtls);
    if (!protector || !ice) return undefined;
    return new FastRtpSender(dtls, ice, protector, sender.ssrc, codec.payloadType, codec.clockRate, cname, options);
  }

  get srtpProfile(): number {
    return this.protector.profile;
  }

  /** Packets resent in answer to NACKs. */
  get retransmissions(): number {
    return this.retransmitted;
  }

  /**
   * Sends one packet. `burst`: part of a run of sends longer than the history (a GOP replayed to a joining viewer),
   * whose headers must not share the ring's buffers.
   */
  send(sequenceNumber: number, timestamp: number, marker: boolean, payload: Buffer, burst: boolean): void {
    if (this.closed) return;
    const slot = this.ring.claim(sequenceNumber, burst);
    writeRtpHeader(slot.pieces[0], this.payloadType, marker, sequenceNumber, timestamp, this.ssrc);
    this.protector.protect(slot.pieces, payload, this.ssrc, sequenceNumber, this.roc.next(sequenceNumber));
    this.transmit(slot.pieces);
    this.packetCount++;
    this.octetCount += payload.length;
    // The sender report maps the newest timestamp to the time its frame went out; one clock read per frame.
    if (timestamp !== this.lastTimestamp || this.packetCount === 1) {
      this.lastTimestamp = timestamp;
      this.lastTimestampAt = performance.now();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.senderReportTimer);
    this.unsubscribeRtcp();
    this.ring.clear();
  }

  private transmit(pieces: ProtectedPieces): void {
    const ice = this.ice;
    const pair = ice.nominated;
    if (pair !== this.pair) {
      this.pair = pair;
      this.route = pair && udpRouteOf(pair);
    }
    // RFC 7675: nothing goes out on a pair whose consent has expired (werift's ICE send checks the same).
    if (!pair || !ice.canSendApplicationData?.()) return;
    const route = this.route;
    try {
      if (route) route.socket.send(pieces, route.port, route.address);
      else this.sendThroughWerift(pieces);
    } catch {
      // The socket closed under us (the viewer is going away); the connection state tells the session.
    }
  }

  /** A pair that is not plain UDP (TURN): werift's ICE send, which wraps the packet for the relay server. */
  private sendThroughWerift(pieces: ProtectedPieces): void {
    const send = (this.ice as { send?: (data: Buffer) => Promise<void> }).send;
    send?.(Buffer.concat(pieces)).catch(() => undefined);
  }

  private onRtcp(packet: RtcpPacket): void {
    if (this.closed || packet.type !== RtcpTransportLayerFeedback.type) return;
    const feedback = (packet as RtcpTransportLayerFeedback).feedback;
    if (feedback.count !== GenericNack.count) return;
    const nack = feedback as GenericNack;
    if (nack.mediaSourceSsrc !== this.ssrc) return;
    for (const sequenceNumber of nack.lost) {
      const sent = this.ring.find(sequenceNumber);
      if (!sent) continue;
      this.transmit(sent.pieces);
      this.retransmitted++;
    }
  }

  private sendSenderReport(): void {
    if (this.closed || this.packetCount === 0 || this.dtls.state !== 'connected') return;
    const now = performance.now();
    const rtpTimestamp = (this.lastTimestamp + Math.round(((now - this.lastTimestampAt) * this.clockRate) / 1000)) >>> 0;
    const packets: RtcpPacket[] = [
      new RtcpSrPacket({
        ssrc: this.ssrc,
        senderInfo: new RtcpSenderInfo({
          ntpTimestamp: ntpTimestamp(performance.timeOrigin + now),
          rtpTimestamp,
          packetCount: this.packetCount >>> 0,
          octetCount: this.octetCount >>> 0,
        }),
      }),
    ];
    if (this.cname) {
      const item = new SourceDescriptionItem({ type: SDES_CNAME, text: this.cname });
      packets.push(new RtcpSourceDescriptionPacket({ chunks: [new SourceDescriptionChunk({ source: this.ssrc, items: [item] })] }));
    }
    this.dtls.sendRtcp(packets).catch(() => undefined);
  }
}

/** A 64-bit NTP timestamp (RFC 3550 §4) for a Unix time in milliseconds. */
export function ntpTimestamp(unixMs: number): bigint {
  const ms = unixMs + NTP_UNIX_OFFSET_MS;
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 0x1_0000_0000);
  return (BigInt(seconds) << 32n) | BigInt(Math.min(fraction, 0xffff_ffff));
}
