import type { LiveOverlayFrame } from '@sightline/protocol';
import { Backoff, type BackoffOptions } from './backoff.js';
import { Listeners, type Unsubscribe } from './listeners.js';
import { OverlayFrameBuffer, type OverlayBufferOptions } from './overlay-buffer.js';
import { parseOverlayFrame } from './overlay-guard.js';
import type { OverlaySource } from './overlay-source.js';
import type { TokenProvider } from './whep-connection.js';

export interface OverlayFeedOptions {
  /** The SSE endpoint, e.g. `${hub}/api/v1/cameras/${id}/live/overlay` (the token is added as `access_token`). */
  url: string;
  /** Called before every connection: EventSource cannot send headers, and its own retries would reuse an expired token. */
  token: TokenProvider;
  /** Frames of any other camera are ignored. */
  cameraId?: string;
  buffer?: OverlayBufferOptions;
  reconnect?: BackoffOptions;
  /** The SSE event name. Default `overlay`. */
  eventName?: string;
}

export type OverlayFeedState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

interface OverlayFeedEvents {
  [name: string]: unknown;
  state: { state: OverlayFeedState; retryInMs?: number; error?: string };
  /** A valid frame was added to the buffer. */
  frame: LiveOverlayFrame;
  /** An event was refused (bad JSON, wrong shape, another camera). */
  invalid: { error: string };
}

export interface OverlayFeedCounters {
  received: number;
  invalid: number;
  connects: number;
}

/**
 * The overlay frames of one camera, from the hub's server-sent events, kept in an OverlayFrameBuffer. A lost
 * connection is reopened with a fresh token after a backoff (EventSource's own retry is not used: it would keep the
 * old URL and its token).
 */
export class OverlayFeed implements OverlaySource {
  readonly buffer: OverlayFrameBuffer;
  readonly counters: OverlayFeedCounters = { received: 0, invalid: 0, connects: 0 };
  private readonly listeners = new Listeners<OverlayFeedEvents>();
  private readonly backoff: Backoff;
  private source: EventSource | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stateValue: OverlayFeedState = 'idle';
  private generation = 0;

  constructor(private readonly options: OverlayFeedOptions) {
    this.buffer = new OverlayFrameBuffer(options.buffer);
    this.backoff = new Backoff(options.reconnect);
  }

  get state(): OverlayFeedState {
    return this.stateValue;
  }

  on<Name extends keyof OverlayFeedEvents>(name: Name, listener: (payload: OverlayFeedEvents[Name]) => void): Unsubscribe {
    return this.listeners.on(name, listener);
  }

  start(): void {
    if (this.stateValue !== 'idle') return;
    void this.connect();
  }

  /** The frame to draw over the picture with this RTP timestamp (see OverlayFrameBuffer.frameFor). */
  frameFor(rtpTimestamp: number): LiveOverlayFrame | undefined {
    return this.buffer.frameFor(rtpTimestamp);
  }

  /** Adds a frame as if it had arrived (frames from another transport, or tests). */
  push(frame: LiveOverlayFrame): void {
    this.buffer.insert(frame);
    this.listeners.emit('frame', frame);
  }

  close(): void {
    if (this.stateValue === 'closed') return;
    this.generation++;
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = undefined;
    this.setState({ state: 'closed' });
    this.listeners.clear();
  }

  private setState(change: OverlayFeedEvents['state']): void {
    this.stateValue = change.state;
    this.listeners.emit('state', change);
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.setState({ state: 'connecting' });
    let token: string;
    try {
      token = await this.options.token();
    } catch (error) {
      this.retry(generation, `the token provider failed: ${(error as Error)?.message ?? String(error)}`);
      return;
    }
    if (generation !== this.generation) return;
    const url = new URL(this.options.url, globalThis.location?.href);
    url.searchParams.set('access_token', token);
    const source = new EventSource(url);
    this.source = source;
    let heard = false;
    source.addEventListener('open', () => {
      if (generation !== this.generation) return;
      this.counters.connects++;
      this.setState({ state: 'open' });
    });
    source.addEventListener(this.options.eventName ?? 'overlay', (event) => {
      if (generation !== this.generation) return;
      // Reset only once something arrived: a hub that accepts and drops at once must still be backed off from.
      if (!heard) this.backoff.reset();
      heard = true;
      this.receive((event as MessageEvent<unknown>).data);
    });
    // An error is a lost or refused connection (EventSource does not say which, nor the status).
    source.addEventListener('error', () => this.retry(generation, 'the event stream failed or was refused'));
  }

  private receive(data: unknown): void {
    const check = typeof data === 'string' ? parseOverlayFrame(data) : { ok: false as const, error: 'not text' };
    let error = check.ok ? undefined : check.error;
    if (check.ok && this.options.cameraId !== undefined && check.frame.cameraId !== this.options.cameraId) {
      error = `a frame of camera "${check.frame.cameraId}"`;
    }
    if (error !== undefined || !check.ok) {
      this.counters.invalid++;
      this.listeners.emit('invalid', { error: error ?? 'invalid' });
      return;
    }
    this.counters.received++;
    this.push(check.frame);
  }

  private retry(generation: number, error: string): void {
    if (generation !== this.generation) return;
    this.generation++;
    this.source?.close();
    this.source = undefined;
    const retryInMs = this.backoff.next();
    this.setState({ state: 'reconnecting', retryInMs, error });
    this.retryTimer = setTimeout(() => void this.connect(), retryInMs);
  }
}
