import { useEffect } from 'react';
import { useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import type { EventFilter, EventPage, StoredEvent } from '@sightline/protocol';
import { hub } from './client.js';
import { markLost } from './connection.js';
import { queryKeys } from './query-keys.js';
import { eventMatches } from '../events/event-filter-match.js';

const RECONNECT_MS = 2_000;
/** Counts and fleet health change with every event; refetching them that often would only load the hub. */
const INVALIDATE_EVERY_MS = 2_000;

/** Puts a live event at the top of every cached event list whose filter it matches. */
function prependEvent(client: QueryClient, stored: StoredEvent): void {
  for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.eventsAll })) {
    const filter = (query.queryKey[1] ?? {}) as EventFilter;
    if (!eventMatches(stored, filter)) continue;
    client.setQueryData<InfiniteData<EventPage>>(query.queryKey, (data) => {
      if (!data || data.pages.length === 0) return data;
      if (data.pages.some((page) => page.events.some((e) => e.event.id === stored.event.id))) return data;
      const [first, ...rest] = data.pages;
      return { ...data, pages: [{ ...first!, events: [stored, ...first!.events] }, ...rest] };
    });
  }
}

/**
 * One live event stream for the whole signed-in console: new events go straight into the lists on screen, counts
 * are refetched (at most every 2 s). A dropped stream reconnects by itself and refetches the lists, since events may
 * have been stored meanwhile.
 */
export function useLiveEvents(enabled: boolean): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const stop = new AbortController();
    let lastInvalidate = 0;
    const run = async () => {
      let first = true;
      while (!stop.signal.aborted) {
        try {
          const stream = hub.events.stream({}, { signal: stop.signal });
          if (!first) void client.invalidateQueries({ queryKey: queryKeys.eventsAll });
          first = false;
          for await (const stored of stream) {
            prependEvent(client, stored);
            const now = Date.now();
            if (now - lastInvalidate > INVALIDATE_EVERY_MS) {
              lastInvalidate = now;
              void client.invalidateQueries({ queryKey: queryKeys.countsAll });
            }
          }
        } catch (err) {
          if (stop.signal.aborted) return;
          const status = (err as { status?: number | null }).status;
          if (status === null || status === undefined || status >= 502) markLost();
        }
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
      }
    };
    void run();
    return () => stop.abort();
  }, [client, enabled]);
}
