import { useInfiniteQuery } from '@tanstack/react-query';
import type { EventFilter } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';

const PAGE_SIZE = 50;

/** Events newest first, a page at a time following the hub's cursor; live events are prepended by useLiveEvents. */
export function useEventPages(filter: EventFilter) {
  return useInfiniteQuery({
    queryKey: queryKeys.events(filter),
    queryFn: ({ pageParam, signal }) => hub.events.list({ ...filter, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // Kept fresh by the live stream; a refetch of every loaded page is needed only after a reconnect.
    staleTime: Infinity,
  });
}
