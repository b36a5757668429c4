import { randomUUID } from 'node:crypto';
import type { LiveRelay } from '../relay/live-relay.js';
import { RelayNegotiationError, type RelayNegotiationCode } from '../relay/negotiation.js';
import { MediaSignallingError } from './media-signalling-error.js';
import { DEFAULT_MAX_SDP_BYTES, readSdpOffer } from './sdp-offer.js';

export type SignallingKind = 'whip' | 'whep';

/** One POST's content: the raw body and its Content-Type header. */
export interface SdpRequest {
  contentType: string | undefined;
  body: string | Buffer | undefined;
}

/** What the HTTP layer should send back. */
export interface SignallingResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A created session, as the hub needs it to answer and to authorise a later DELETE. */
export interface SignallingSession {
  resourceId: string;
  kind: SignallingKind;
  relayId: string;
}

export interface WhipWhepSessionsOptions {
  /** The URL (absolute or relative) of a session resource, sent as Location; DELETE on it ends the session. */
  resourceLocation(session: SignallingSession): string;
  /** Largest accepted offer. Default 64 KiB. */
  maxSdpBytes?: number;
}

interface SessionEntry extends SignallingSession {
  relay: LiveRelay;
  /** The relay's viewer id, for WHEP sessions. */
  viewerId?: string;
}

const NEGOTIATION_STATUS: Record<RelayNegotiationCode, number> = {
  'invalid-offer': 400,
  'no-video': 400,
  'no-common-codec': 400,
  superseded: 409,
  'relay-closed': 503,
};

/** Resource ids are UUIDs; anything else cannot name a session, so it is refused before a lookup. */
const RESOURCE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * WHIP and WHEP signalling over LiveRelays, independent of any HTTP framework: POST an SDP offer, get 201 with the
 * answer and a Location; DELETE that resource to leave. No trickle ICE: offers and answers carry all candidates (a
 * PATCH should be answered 405 by the caller). The caller routes, authenticates and picks the relay.
 */
export class WhipWhepSessions {
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly publisherResource = new Map<LiveRelay, string>();
  private readonly watchedRelays = new WeakSet<LiveRelay>();
  private readonly maxSdpBytes: number;

  constructor(private readonly options: WhipWhepSessionsOptions) {
    this.maxSdpBytes = options.maxSdpBytes ?? DEFAULT_MAX_SDP_BYTES;
  }

  /** WHIP POST: the offer of the relay's (new) publisher. Replaces and forgets the previous publisher's session. */
  async publish(relay: LiveRelay, request: SdpRequest): Promise<SignallingResponse> {
    const offer = readSdpOffer(request.contentType, request.body, 'send', this.maxSdpBytes);
    this.watch(relay);
    const answer = await negotiate(() => relay.acceptPublisher(offer));
    const previous = this.publisherResource.get(relay);
    if (previous) this.sessions.delete(previous);
    const entry = this.add({ kind: 'whip', relay });
    this.publisherResource.set(relay, entry.resourceId);
    return this.created(entry, answer);
  }

  /** WHEP POST: a viewer's offer. */
  async view(relay: LiveRelay, request: SdpRequest): Promise<SignallingResponse> {
    const offer = readSdpOffer(request.contentType, request.body, 'receive', this.maxSdpBytes);
    this.watch(relay);
    const { viewerId, answerSdp } = await negotiate(() => relay.addViewer(offer));
    const entry = this.add({ kind: 'whep', relay, viewerId });
    return this.created(entry, answerSdp);
  }

  /** DELETE on a session resource: the publisher or viewer leaves. */
  async remove(resourceId: string): Promise<SignallingResponse> {
    const entry = this.entry(resourceId);
    this.sessions.delete(resourceId);
    if (entry.kind === 'whip') {
      this.publisherResource.delete(entry.relay);
      await entry.relay.removePublisher();
    } else if (entry.viewerId) {
      await entry.relay.removeViewer(entry.viewerId);
    }
    return { status: 200, headers: {}, body: '' };
  }

  /** The session a resource id names, so the caller can check the requester may end it. */
  session(resourceId: string): SignallingSession | undefined {
    const entry = RESOURCE_ID.test(resourceId) ? this.sessions.get(resourceId) : undefined;
    return entry && { resourceId: entry.resourceId, kind: entry.kind, relayId: entry.relayId };
  }

  get size(): number {
    return this.sessions.size;
  }

  private entry(resourceId: string): SessionEntry {
    const entry = RESOURCE_ID.test(resourceId) ? this.sessions.get(resourceId) : undefined;
    if (!entry) throw new MediaSignallingError(404, 'unknown-resource', `no WHIP/WHEP session ${JSON.stringify(resourceId)}`);
    return entry;
  }

  private add(fields: { kind: SignallingKind; relay: LiveRelay; viewerId?: string }): SessionEntry {
    const entry: SessionEntry = { resourceId: randomUUID(), relayId: fields.relay.id, ...fields };
    this.sessions.set(entry.resourceId, entry);
    return entry;
  }

  private created(entry: SessionEntry, answerSdp: string): SignallingResponse {
    const location = this.options.resourceLocation({ resourceId: entry.resourceId, kind: entry.kind, relayId: entry.relayId });
    return { status: 201, headers: { 'content-type': 'application/sdp', location }, body: answerSdp };
  }

  /** Viewers that leave by themselves (closed page, failed ICE) leave no resource behind. */
  private watch(relay: LiveRelay): void {
    if (this.watchedRelays.has(relay)) return;
    this.watchedRelays.add(relay);
    relay.on('viewer-removed', (viewerId) => {
      for (const [resourceId, entry] of this.sessions) {
        if (entry.relay === relay && entry.viewerId === viewerId) this.sessions.delete(resourceId);
      }
    });
  }
}

async function negotiate<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof RelayNegotiationError) {
      throw new MediaSignallingError(NEGOTIATION_STATUS[error.code], error.code, error.message);
    }
    throw error;
  }
}

/** Turns any error from the methods above into a response: the signalling error's status, or a 500. */
export function signallingErrorResponse(error: unknown): SignallingResponse {
  const known =
    error instanceof MediaSignallingError ? error : new MediaSignallingError(500, 'internal', 'the media relay failed');
  return {
    status: known.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(known.toJSON()),
  };
}
