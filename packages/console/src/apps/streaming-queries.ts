import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { hub } from '../api/client.js';

/** The cloud-streaming query keys, under one prefix so that they never meet the camera console's. */
export const streamingKeys = {
  all: ['streaming'] as const,
  apps: ['streaming', 'apps'] as const,
  hosts: ['streaming', 'hosts'] as const,
  sessions: ['streaming', 'sessions'] as const,
};

export function useApps() {
  return useQuery({ queryKey: streamingKeys.apps, queryFn: ({ signal }) => hub.apps.list({ signal }) });
}

/** Hosts report every few seconds (heartbeats do not come through the event stream): refreshed as often. */
export function useHosts() {
  return useQuery({ queryKey: streamingKeys.hosts, queryFn: ({ signal }) => hub.hosts.list({ signal }), refetchInterval: 5_000 });
}

/** The caller's sessions (an admin's: everyone's); queue positions move, so they are refreshed often. */
export function useSessions() {
  return useQuery({ queryKey: streamingKeys.sessions, queryFn: ({ signal }) => hub.sessions.list({ signal }), refetchInterval: 3_000 });
}

/** Starts a session of an app; the caller navigates to its player page with the answer. */
export function useStartSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (appId: string) => hub.apps.startSession(appId),
    onSuccess: () => void client.invalidateQueries({ queryKey: streamingKeys.sessions }),
  });
}

export function useEndSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) => hub.sessions.end(sessionId),
    onSettled: () => void client.invalidateQueries({ queryKey: streamingKeys.sessions }),
  });
}
