import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isSightlineApiError } from '@sightline/sdk';
import { markLost, markRestored, onConnectionRestored } from './connection.js';
import { isConnectionError } from './errors.js';

function watchConnection(err: unknown): void {
  if (isConnectionError(err)) markLost();
}

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: watchConnection, onSuccess: () => markRestored() }),
    mutationCache: new MutationCache({ onError: watchConnection }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // The hub said no (4xx): asking again will not change its mind. Lost connections are retried by the probe.
        retry: (failures, err) => failures < 2 && !(isSightlineApiError(err) && err.status !== null && err.status < 500),
        refetchOnWindowFocus: true,
      },
    },
  });
  onConnectionRestored(() => void client.invalidateQueries());
  return client;
}
