import { useQuery } from '@tanstack/react-query';
import { hub } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';

/** One camera; polled quickly while the edge has not applied its latest config, so "applied" shows up by itself. */
export function useCamera(id: string) {
  return useQuery({
    queryKey: queryKeys.camera(id),
    queryFn: ({ signal }) => hub.cameras.get(id, { signal }),
    refetchInterval: (query) => (query.state.data?.applied === true ? 10_000 : 1_500),
  });
}
