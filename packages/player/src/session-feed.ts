import type { StreamSession } from '@sightline/protocol';
import { Backoff, type BackoffOptions } from './backoff.js';
import { Listeners, type Unsubscribe } from './listeners.js';
import { SseLineParser } from './sse-reader.js';
import { parseStreamSession } from './stream-session-guard.js';
import type { TokenProvider } from './whep-connection.js';
import type { TokenTransport } from './whep-signalling.js';

export interface SessionFeedOptions {
  /** `GET …/api/v1/sessions/:id/state` (server-sent `session` events). */
  url: string;
  /** Called before every connection. */
  token: TokenProvider;
  /** Default `header`: the stream is read with fetch, so it can carry an Authorization header (and no token in a URL). */
  tokenTransport?: TokenTransport;
  reconnect?: BackoffOptions;
  /** A stream silent (not even a keep-alive comment) for this long is taken as lost and reopened. Default 45 s. */
  silenceTimeoutMs?: number;
}

/**
 * `open`: the hub streams the session; `reconnecting`: the stream was lost and is reopened after `retryInMs`;
 * `failed`: the hub refused it (401, 403, 404: retrying cannot help; `status` says which); `closed`: the session
 * ended (its last state was delivered) or close() was called.
 */
export type SessionFeedState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed';

export interface SessionFeedStateChange {
  state: SessionFeedState;
  status?: number;
  error?: string;
  retryInMs?: number;
}

interface SessionFeedEvents {
  [name: string]: unknown;
  state: SessionFeedStateChange;
  session: StreamSession;
  /** A `session` event was refused (bad JSON or shape, another session). */
  invalid: { error: string };
}

class FinalError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Follows one cloud-streaming session over the hub's state stream: the session at once and on every change. It is
 * read with fetch rather than EventSource, so that the credential goes in a header (or the session cookie) and a
 * refusal's status is known; a lost stream is reopened with a fresh token after a backoff, and the stream is closed
 * for good once the session has ended.
 */
export class SessionFeed {
  private readonly listeners = new Listeners<SessionFeedEvents>();
  private readonly backoff: Backoff;
  private abort: AbortController | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stateValue: SessionFeedState = 'idle';
  private generation = 0;
  private last: StreamSession | undefined;

  constructor(
    private readonly options: SessionFeedOptions,
    private readonly sessionId?: string,
  ) {
    this.backoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 5000, ...options.reconnect });
  }

  get state(): SessionFeedState {
    return this.stateValue;
  }

  /** The latest session received. */
  get session(): StreamSession | undefined {
    return this.last;
  }

  on<Name extends keyof SessionFeedEvents>(name: Name, listener: (payload: SessionFeedEvents[Name]) => void): Unsubscribe {
    return this.listeners.on(name, listener);
  }

  start(): void {
    if (this.stateValue !== 'idle') return;
    void this.connect();
  }

  close(): void {
    if (this.stateValue === 'closed') return;
    this.generation++;
    clearTimeout(this.retryTimer);
    this.abort?.abort();
    this.abort = undefined;
    this.setState({ state: 'closed' });
    this.listeners.clear();
  }

  private setState(change: SessionFeedStateChange): void {
    this.stateValue = change.state;
    this.listeners.emit('state', change);
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.setState({ state: 'connecting' });
    const abort = new AbortController();
    this.abort = abort;
    let silence: ReturnType<typeof setTimeout> | undefined;
    const silenceMs = this.options.silenceTimeoutMs ?? 45_000;
    const heard = () => {
      clearTimeout(silence);
      silence = setTimeout(() => abort.abort(new Error(`the state stream was silent for ${silenceMs} ms`)), silenceMs);
    };
    try {
      let token: string;
      try {
        token = await this.options.token();
      } catch (error) {
        throw new Error(`the token provider failed: ${(error as Error)?.message ?? String(error)}`);
      }
      if (generation !== this.generation) return;
      const transport = this.options.tokenTransport ?? 'header';
      const url = new URL(this.options.url, globalThis.location?.href);
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (transport === 'query') url.searchParams.set('access_token', token);
      else if (transport === 'header') headers.authorization = `Bearer ${token}`;
      heard();
      const response = await fetch(url, { headers, cache: 'no-store', signal: abort.signal });
      if (response.status === 401 || response.status === 403 || response.status === 404) {
        await response.body?.cancel().catch(() => undefined);
        throw new FinalError(response.status, `the hub refused the session's state stream (${response.status})`);
      }
      if (!response.ok || !response.body) throw new Error(`the state stream answered ${response.status}`);
      if (generation !== this.generation) return;
      this.setState({ state: 'open' });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseLineParser();
      for (;;) {
        const { done, value } = await reader.read();
        if (generation !== this.generation) {
          void reader.cancel().catch(() => undefined);
          return;
        }
        if (done) break;
        heard();
        for (const event of parser.push(value)) {
          if (event.event !== 'session') continue;
          if (this.receive(event.data) === 'ended') {
            void reader.cancel().catch(() => undefined);
            clearTimeout(silence);
            this.generation++;
            this.abort = undefined;
            this.setState({ state: 'closed' });
            return;
          }
        }
      }
      throw new Error('the hub closed the state stream');
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof FinalError) {
        this.generation++;
        this.setState({ state: 'failed', status: error.status, error: error.message });
        return;
      }
      const reason = abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason : error;
      this.retry(generation, (reason as Error)?.message ?? String(reason));
    } finally {
      clearTimeout(silence);
    }
  }

  /** Handles one `session` event; 'ended' once the session is over (no later state can come). */
  private receive(data: string): 'ended' | undefined {
    const check = parseStreamSession(data);
    if (!check.ok) {
      this.listeners.emit('invalid', { error: check.error });
      return undefined;
    }
    if (this.sessionId !== undefined && check.session.id !== this.sessionId) {
      this.listeners.emit('invalid', { error: `a state of session ${check.session.id}` });
      return undefined;
    }
    // Something arrived: the next loss starts its backoff afresh.
    this.backoff.reset();
    this.last = check.session;
    this.listeners.emit('session', check.session);
    return check.session.state === 'ended' ? 'ended' : undefined;
  }

  private retry(generation: number, error: string): void {
    if (generation !== this.generation) return;
    this.generation++;
    this.abort?.abort();
    this.abort = undefined;
    const retryInMs = this.backoff.next();
    this.setState({ state: 'reconnecting', retryInMs, error });
    this.retryTimer = setTimeout(() => void this.connect(), retryInMs);
  }
}
