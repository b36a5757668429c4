import type { StoredEvent } from '@sightline/protocol';

const VERB: Record<StoredEvent['event']['type'], string> = {
  'zone.enter': 'entered',
  'zone.exit': 'left',
  'zone.loiter': 'is loitering in',
  'line.cross': 'crossed',
};

/** "person #12 entered dock-door", for lists and titles. */
export function describeEvent(stored: StoredEvent): string {
  const e = stored.event;
  const where = 'zoneId' in e ? e.zoneId : 'lineId' in e ? `${e.lineId}${'direction' in e ? ` (${e.direction})` : ''}` : '';
  return `${e.label} #${e.trackId} ${VERB[e.type]} ${where}`;
}
