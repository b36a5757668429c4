import { useQuery } from '@tanstack/react-query';
import { hub } from '../api/client.js';

export const hubSettingsKey = ['hub-settings'] as const;

/** The hub's run-time settings (retention, ICE servers, recordings budget); every signed-in role may read them. */
export function useHubSettings() {
  return useQuery({ queryKey: hubSettingsKey, queryFn: ({ signal }) => hub.settings.get({ signal }), staleTime: 60_000 });
}
