import type { EventFilter } from '@sightline/protocol';

/** Every cached query's key, in one place, so live updates know what to invalidate. */
export const queryKeys = {
  me: ['me'] as const,
  devices: ['devices'] as const,
  cameras: ['cameras'] as const,
  camera: (id: string) => ['cameras', id] as const,
  events: (filter: EventFilter) => ['events', filter] as const,
  eventsAll: ['events'] as const,
  counts: (params: object) => ['counts', params] as const,
  countsAll: ['counts'] as const,
  apiKeys: ['api-keys'] as const,
  users: ['users'] as const,
};
