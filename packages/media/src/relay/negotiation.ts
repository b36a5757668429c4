import { useOPUS, usePCMU, type PeerConfig } from 'werift';

export type RelayNegotiationCode = 'invalid-offer' | 'no-video' | 'no-common-codec' | 'superseded' | 'relay-closed';

/** An offer the relay cannot answer; the signalling layer turns it into a 4xx response. */
export class RelayNegotiationError extends Error {
  override readonly name = 'RelayNegotiationError';
  constructor(
    readonly code: RelayNegotiationCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The relay forwards video only, but browsers and WHIP encoders often offer audio too: knowing the common audio
 * codecs lets werift answer such offers (the audio section is accepted and ignored) instead of failing them.
 */
export function relayPeerConfig(config: Partial<PeerConfig>): Partial<PeerConfig> {
  return { ...config, codecs: { ...config.codecs, audio: [useOPUS(), usePCMU()] } };
}
