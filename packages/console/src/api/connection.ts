import { useSyncExternalStore } from 'react';
import { hub } from './client.js';

/**
 * Whether the hub answers. Any call that fails to reach it marks the connection lost; while lost, the hub is probed
 * every few seconds, and the first answer marks it back, after which `onRestored` listeners refetch what is stale.
 */
type Listener = () => void;

const PROBE_INTERVAL_MS = 2_000;

let lost = false;
let probe: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<Listener>();
const restoredListeners = new Set<Listener>();

function notify(): void {
  for (const listener of listeners) listener();
}

async function probeOnce(): Promise<void> {
  try {
    await hub.auth.me();
  } catch (err) {
    // Any answer from the hub, even a 401, proves it is reachable again.
    const status = (err as { status?: number | null }).status;
    if (status === null || status === undefined || status >= 502) return;
  }
  markRestored();
}

export function markLost(): void {
  if (lost) return;
  lost = true;
  probe = setInterval(() => void probeOnce(), PROBE_INTERVAL_MS);
  notify();
}

export function markRestored(): void {
  if (!lost) return;
  lost = false;
  clearInterval(probe);
  probe = undefined;
  notify();
  for (const listener of restoredListeners) listener();
}

export function onConnectionRestored(listener: Listener): () => void {
  restoredListeners.add(listener);
  return () => restoredListeners.delete(listener);
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useConnectionLost(): boolean {
  return useSyncExternalStore(subscribe, () => lost);
}
