import { codecParametersFromString, type RTCRtpCodecParameters } from 'werift';
import type { RelayCodecName } from './keyframe.js';

/** The codec a relay's publisher sends, which every viewer must receive unchanged (no transcoding). */
export interface RelayCodec {
  name: RelayCodecName;
  /** The publisher's fmtp line, e.g. "profile-level-id=42e01f;packetization-mode=1". */
  parameters: string;
}

/** Assumed until a publisher connects: what the edge's encoder produces. */
export const DEFAULT_RELAY_CODEC: RelayCodec = {
  name: 'h264',
  parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
};

export function relayCodecName(codec: RTCRtpCodecParameters): RelayCodecName | undefined {
  const mime = codec.mimeType.toLowerCase();
  if (mime === 'video/h264') return 'h264';
  if (mime === 'video/vp8') return 'vp8';
  return undefined;
}

function fmtp(codec: RTCRtpCodecParameters): Record<string, unknown> {
  return codecParametersFromString(codec.parameters ?? '') as Record<string, unknown>;
}

/** Our packetizers (and ffmpeg's) fragment NAL units (FU-A), which needs packetization-mode 1. */
function isH264Mode1(codec: RTCRtpCodecParameters): boolean {
  return relayCodecName(codec) === 'h264' && String(fmtp(codec)['packetization-mode'] ?? '0') === '1';
}

function profileLevelId(parameters: string | undefined): string {
  const value = (codecParametersFromString(parameters ?? '') as Record<string, unknown>)['profile-level-id'];
  return typeof value === 'string' ? value.toLowerCase() : typeof value === 'number' ? String(value) : '';
}

/** The publisher's codec: H.264 (packetization-mode 1) whenever offered, because viewers default to it; else VP8. */
export function choosePublisherCodec(offered: RTCRtpCodecParameters[]): RTCRtpCodecParameters | undefined {
  return offered.find(isH264Mode1) ?? offered.find((codec) => relayCodecName(codec) === 'vp8');
}

/**
 * The viewer's codec that can carry the publisher's stream as it is. For H.264 the closest profile wins: the same
 * profile-level-id, then the same profile and constraints, then the same profile; a decoder copes with a level
 * mismatch far better than with a profile one.
 */
export function chooseViewerCodec(
  offered: RTCRtpCodecParameters[],
  publisher: RelayCodec,
): RTCRtpCodecParameters | undefined {
  if (publisher.name === 'vp8') return offered.find((codec) => relayCodecName(codec) === 'vp8');
  const candidates = offered.filter(isH264Mode1);
  const wanted = profileLevelId(publisher.parameters);
  const score = (codec: RTCRtpCodecParameters): number => {
    const id = profileLevelId(codec.parameters);
    if (wanted && id === wanted) return 3;
    if (wanted && id.slice(0, 4) === wanted.slice(0, 4)) return 2;
    if (wanted && id.slice(0, 2) === wanted.slice(0, 2)) return 1;
    return 0;
  };
  let best: RTCRtpCodecParameters | undefined;
  for (const codec of candidates) if (!best || score(codec) > score(best)) best = codec;
  return best;
}
