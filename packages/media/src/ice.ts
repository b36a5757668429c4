import {
  RTCRtpCodecParameters,
  useFIR,
  useNACK,
  usePLI,
  useREMB,
  type PeerConfig,
} from 'werift';

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface IceOptions {
  iceServers?: IceServer[];
  /**
   * Keep every ICE candidate on 127.0.0.1. Tests set this so that no packet reaches the machine's other interfaces;
   * a relay and a publisher on the same host may use it too.
   */
  loopbackOnly?: boolean;
}

export const LOOPBACK_ADDRESS = '127.0.0.1';

/** RTCP feedback every video codec offers: retransmission, keyframe requests and receiver bandwidth estimates. */
function videoFeedback() {
  return [useNACK(), usePLI(), useFIR(), useREMB()];
}

/** Constrained baseline 3.1, packetization-mode 1: what ffmpeg's baseline x264 output and every browser agree on. */
export const H264_FMTP = 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1';

export function h264Codec(): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: 'video/H264',
    clockRate: 90000,
    rtcpFeedback: videoFeedback(),
    parameters: H264_FMTP,
  });
}

export function vp8Codec(): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: 'video/VP8',
    clockRate: 90000,
    rtcpFeedback: videoFeedback(),
  });
}

/** The video codecs the media plane negotiates, in order of preference. */
export function videoCodecs(): RTCRtpCodecParameters[] {
  return [h264Codec(), vp8Codec()];
}

/** The werift RTCPeerConnection configuration for the given ICE options. */
export function peerConfig(ice: IceOptions): Partial<PeerConfig> {
  const config: Partial<PeerConfig> = {
    iceServers: (ice.iceServers ?? []).map((server) => ({ ...server })),
    codecs: { video: videoCodecs() },
  };
  if (ice.loopbackOnly) {
    config.iceAdditionalHostAddresses = [LOOPBACK_ADDRESS];
    config.iceUseIpv6 = false;
    config.iceFilterCandidatePair = (pair) =>
      pair.localCandidate.host === LOOPBACK_ADDRESS && pair.remoteAddr[0] === LOOPBACK_ADDRESS;
    config.iceFilterStunResponse = (_message, address) => address[0] === LOOPBACK_ADDRESS;
  }
  return config;
}

/**
 * The SDP to hand to the other side. werift also gathers the machine's other interfaces; with loopbackOnly their
 * candidates are removed, so the remote peer never even tries them (the filters above only stop our side).
 */
export function sdpForIce(sdp: string, ice: IceOptions): string {
  if (!ice.loopbackOnly) return sdp;
  const newline = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(newline)
    .filter((line) => !line.startsWith('a=candidate:') || line.split(' ')[4] === LOOPBACK_ADDRESS)
    .join(newline);
}
