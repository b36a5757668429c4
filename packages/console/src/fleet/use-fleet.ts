import { useQuery } from '@tanstack/react-query';
import { hub } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';

/** Devices with their health; refreshed every few seconds because heartbeats do not come through the event stream. */
export function useDevices() {
  return useQuery({ queryKey: queryKeys.devices, queryFn: ({ signal }) => hub.devices.list({ signal }), refetchInterval: 5_000 });
}

export function useCameras() {
  return useQuery({ queryKey: queryKeys.cameras, queryFn: ({ signal }) => hub.cameras.list({}, { signal }), refetchInterval: 10_000 });
}
