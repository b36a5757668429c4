import { z } from 'zod';
import { SpectateTokenSchema, StreamSessionSchema, type SpectateToken, type StreamSession } from '@sightline/protocol';
import { SightlineApiError } from '../errors.js';
import { networkReason } from '../deadline.js';
import { readSse, SseLineTooLongError } from '../sse.js';
import { parseStreamJson } from '../event-stream.js';
import { badResponse, type OpenResponse, type RequestOptions, type Transport } from '../transport.js';

const SessionListSchema = z.array(StreamSessionSchema);

/** The SSE event name of `GET /sessions/:id/state`. */
export const SESSION_STATE_EVENT = 'session';

export interface SessionStateOptions {
  /** Ends the stream: the loop finishes without an error. */
  signal?: AbortSignal;
  /** Called once the hub has accepted the stream, before the first state. */
  onOpen?: () => void;
}

/** Cloud-streaming sessions: the caller's own (an admin's: everyone's). */
export class SessionsResource {
  constructor(private readonly transport: Transport) {}

  /** Newest first. */
  list(options?: RequestOptions): Promise<StreamSession[]> {
    return this.transport.json({ method: 'GET', path: '/sessions', ...options }, SessionListSchema);
  }

  get(id: string, options?: RequestOptions): Promise<StreamSession> {
    return this.transport.json({ method: 'GET', path: sessionPath(id), ...options }, StreamSessionSchema);
  }

  /** Ends the session: the host stops the app, its display and its encoder. */
  end(id: string, options?: RequestOptions): Promise<void> {
    return this.transport.empty({ method: 'DELETE', path: sessionPath(id), ...options });
  }

  /** A token that may only watch this session (owner or admin): for a `/play/:id?spectate=` link. */
  spectateToken(id: string, options?: RequestOptions): Promise<SpectateToken> {
    return this.transport.json({ method: 'POST', path: `${sessionPath(id)}/spectate-token`, ...options }, SpectateTokenSchema);
  }

  /** Where a recorded session's MP4 is (owner or admin) once its `recording` is `ready`: for a link or a download. */
  recordingUrl(id: string): string {
    return this.transport.url(`${sessionPath(id)}/recording.mp4`);
  }

  /** The player's WHEP endpoint (POST an offer with the two input data channels, with the owner's credential). */
  whepUrl(id: string): string {
    return this.transport.url(`${sessionPath(id)}/whep`);
  }

  /**
   * The session at once and on every change (queue position, starting, running, ended), from the hub's Server-Sent
   * Events. The loop ends after the `ended` state, when `signal` aborts, or when the hub closes the stream; a dropped
   * connection throws `unreachable`. It does not reconnect: the current state can be fetched with `get`.
   */
  async *state(id: string, { signal, onOpen }: SessionStateOptions = {}): AsyncGenerator<StreamSession, void, undefined> {
    if (signal?.aborted) return;
    let open: OpenResponse;
    try {
      open = await this.transport.open({ method: 'GET', path: `${sessionPath(id)}/state`, signal }, 'text/event-stream');
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
    const { response, url } = open;
    try {
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('text/event-stream')) throw badResponse('GET', url, response.status, `content type "${type}" where text/event-stream was expected`);
      if (!response.body) throw badResponse('GET', url, response.status, 'an event stream with no body');
      onOpen?.();
      for await (const message of readSse(response.body)) {
        if (message.event !== SESSION_STATE_EVENT) continue;
        const session = parseStreamJson(StreamSessionSchema, message.data, url, response.status, 'a session state');
        yield session;
        if (session.state === 'ended') return;
      }
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof SightlineApiError) throw err;
      if (err instanceof SseLineTooLongError) throw badResponse('GET', url, response.status, err.message);
      throw new SightlineApiError('unreachable', `lost the session state stream from ${url}: ${networkReason(err)}`, { status: null, method: 'GET', url, cause: err });
    } finally {
      open.close();
    }
  }
}

function sessionPath(id: string): string {
  return `/sessions/${encodeURIComponent(id)}`;
}
