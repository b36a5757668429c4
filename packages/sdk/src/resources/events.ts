import {
  EventPageSchema,
  StoredEventSchema,
  type EventFilter,
  type EventListQuery,
  type EventPage,
  type SnapshotInfo,
  type StoredEvent,
} from '@sightline/protocol';
import { streamEvents, type EventStreamOptions } from '../event-stream.js';
import { badResponse, type RequestOptions, type Transport } from '../transport.js';

export class EventsResource {
  constructor(private readonly transport: Transport) {}

  /** One page, newest first; pass the answer's `nextCursor` as `cursor` for the next one (or use `pages`). */
  list(query: EventListQuery = {}, options?: RequestOptions): Promise<EventPage> {
    return this.transport.json({ method: 'GET', path: '/events', query, ...options }, EventPageSchema);
  }

  get(id: string, options?: RequestOptions): Promise<StoredEvent> {
    return this.transport.json({ method: 'GET', path: eventPath(id), ...options }, StoredEventSchema);
  }

  /** The JPEG bytes of an event's crop or frame snapshot. */
  snapshot(id: string, kind: SnapshotInfo['kind'], options?: RequestOptions): Promise<Uint8Array> {
    return this.transport.bytes({ method: 'GET', path: `${eventPath(id)}/snapshots/${encodeURIComponent(kind)}`, ...options }, 'image/jpeg');
  }

  /** Every page matching `query`, fetched one at a time as the loop asks for it, following `nextCursor`. */
  async *pages(query: EventListQuery = {}, options?: RequestOptions): AsyncGenerator<EventPage, void, undefined> {
    let cursor = query.cursor;
    const seen = new Set<string>();
    while (true) {
      const page = await this.list({ ...query, cursor }, options);
      yield page;
      if (!page.nextCursor) return;
      // A hub that hands out a cursor twice would keep this loop going for ever.
      if (seen.has(page.nextCursor)) {
        throw badResponse('GET', this.transport.url('/events', { ...query, cursor }), 200, `the cursor ${page.nextCursor} a second time`);
      }
      seen.add(page.nextCursor);
      cursor = page.nextCursor;
    }
  }

  /**
   * Live events matching `filter` as they are stored, read from the hub's Server-Sent Events stream. The loop ends
   * without an error when `signal` aborts (or the hub closes the stream); a dropped connection throws `unreachable`.
   * It does not reconnect: events stored while disconnected can be fetched with `list`.
   */
  stream(filter: EventFilter = {}, options: EventStreamOptions = {}): AsyncGenerator<StoredEvent, void, undefined> {
    return streamEvents(this.transport, filter, options);
  }
}

function eventPath(id: string): string {
  return `/events/${encodeURIComponent(id)}`;
}
