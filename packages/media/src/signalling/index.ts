export { MediaSignallingError, type MediaSignallingErrorCode } from './media-signalling-error.js';
export { DEFAULT_MAX_SDP_BYTES, readSdpOffer, type VideoIntent } from './sdp-offer.js';
export {
  WhipWhepSessions,
  signallingErrorResponse,
  type SdpRequest,
  type SignallingKind,
  type SignallingResponse,
  type SignallingSession,
  type WhipWhepSessionsOptions,
} from './whip-whep-sessions.js';
