import type { App, HostCapacity } from '@sightline/protocol';

export interface HostCandidate {
  hostId: string;
  capacity: HostCapacity;
  /** Sessions the hub has placed there and not yet seen end. */
  assigned: number;
}

/** Whether a host can run the app at all (size, rate, codec), ignoring how busy it is. */
export function hostFits(app: Pick<App, 'width' | 'height' | 'fps' | 'codec'>, capacity: HostCapacity): boolean {
  return (
    app.width <= capacity.maxWidth &&
    app.height <= capacity.maxHeight &&
    app.fps <= capacity.maxFps &&
    capacity.encoders.some((encoder) => encoder.codec === app.codec)
  );
}

/**
 * The host for a new session: one that fits and has a free slot, preferring the one with the most free slots (sessions
 * compete for CPU; spreading them keeps each one's latency down), then a hardware encoder for the app's codec, then
 * the id (a stable order, so tests and operators can predict it).
 */
export function chooseHost(app: Pick<App, 'width' | 'height' | 'fps' | 'codec'>, candidates: readonly HostCandidate[]): string | undefined {
  let best: { hostId: string; free: number; hardware: boolean } | undefined;
  for (const candidate of candidates) {
    const free = candidate.capacity.slots - candidate.assigned;
    if (free <= 0 || !hostFits(app, candidate.capacity)) continue;
    const hardware = candidate.capacity.encoders.some((encoder) => encoder.codec === app.codec && encoder.hardware);
    const better =
      !best ||
      free > best.free ||
      (free === best.free && hardware && !best.hardware) ||
      (free === best.free && hardware === best.hardware && candidate.hostId < best.hostId);
    if (better) best = { hostId: candidate.hostId, free, hardware };
  }
  return best?.hostId;
}
