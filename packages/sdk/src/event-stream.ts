import type { z } from 'zod';
import { LiveEventSchema, type EventFilter, type StoredEvent } from '@sightline/protocol';
import { SightlineApiError } from './errors.js';
import { networkReason } from './deadline.js';
import { readSse, SseLineTooLongError } from './sse.js';
import { badResponse, type OpenResponse, type Transport } from './transport.js';

/** The SSE event name the hub gives stored events; other names (and `: ping` comments) are skipped. */
export const LIVE_EVENT_NAME = 'sightline-event';

export interface EventStreamOptions {
  /** Ends the stream: the loop finishes without an error. */
  signal?: AbortSignal;
  /** Called once the hub has accepted the stream, before any event arrives. */
  onOpen?: () => void;
}

export async function* streamEvents(transport: Transport, filter: EventFilter, { signal, onOpen }: EventStreamOptions): AsyncGenerator<StoredEvent, void, undefined> {
  if (signal?.aborted) return;
  let open: OpenResponse;
  try {
    open = await transport.open({ method: 'GET', path: '/events/stream', query: filter, signal }, 'text/event-stream');
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
      if (message.event !== LIVE_EVENT_NAME) continue;
      yield parseStreamJson(LiveEventSchema, message.data, url, response.status, 'a stream event');
    }
  } catch (err) {
    if (signal?.aborted) return;
    if (err instanceof SightlineApiError) throw err;
    if (err instanceof SseLineTooLongError) throw badResponse('GET', url, response.status, err.message);
    // The time limit stopped with the headers and the caller did not abort: the connection itself broke.
    throw new SightlineApiError('unreachable', `lost the event stream from ${url}: ${networkReason(err)}`, { status: null, method: 'GET', url, cause: err });
  } finally {
    open.close();
  }
}

/** One server-sent message's JSON, checked against the API's schema; `what` names it in the error. */
export function parseStreamJson<S extends z.ZodType>(schema: S, data: string, url: string, status: number, what: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw badResponse('GET', url, status, `a stream message that is not JSON: ${data.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badResponse('GET', url, status, `${what} that does not match the API (${issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'invalid'})`);
  }
  return parsed.data;
}
