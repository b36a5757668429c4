export { LiveRelay, type LiveRelayEvents, type LiveRelayOptions, type LiveRelayStats, type RelayLogger, type RelayTap } from './live-relay.js';
export { RelayNegotiationError, type RelayNegotiationCode } from './negotiation.js';
export { DEFAULT_RELAY_CODEC, type RelayCodec } from './codec-choice.js';
export { DEFAULT_GOP_CACHE_LIMITS, type ForwardedPacket, type GopCacheLimits } from './gop-cache.js';
export { h264StartsKeyframe, vp8StartsKeyframe, type RelayCodecName } from './keyframe.js';
export { type RelayForwarding, type ViewerFeedback } from './viewer-session.js';
