import type { CountsResponse, EventFilter, StoredEvent } from '@sightline/protocol';
import type { SightlineClient } from '@sightline/sdk';
import { formatTime, printJson } from '../display.js';
import { hubOptions, hubUsage, splitSubcommand, takePositionals, withHub } from '../hub-client.js';
import { parseCommandArgs, parseNumberOption } from '../parse-args.js';
import { formatTable } from '../table.js';
import { parseTimeArg } from '../time-arg.js';
import { UsageError } from '../usage-error.js';

export const eventsUsage = `sightline events list [filters] [--limit N] [--cursor C]
sightline events follow [filters]
sightline events counts --from T [--to T] [--bucket minute|hour|day] [filters]

  list     stored events, newest first
  follow   live events as the hub stores them, until Ctrl-C (--json: one JSON object a line)
  counts   how many events per time bucket, camera, zone or line, direction and label

filters:
  --camera C  --device D  --type zone.enter|zone.exit|zone.loiter|line.cross  --label L  --zone Z  --line L
  --track N   (list, follow)
  --since T  --until T   (list, follow)    --from T  --to T   (counts; --to defaults to now)
  a time T is a duration ago (10m, 2h, 7d), an ISO time (2026-11-03T08:00:00Z) or Unix ms

${hubUsage}`;

const EVENT_TYPES = ['zone.enter', 'zone.exit', 'zone.loiter', 'line.cross'] as const;
const BUCKETS = ['minute', 'hour', 'day'] as const;

const filterOptions = {
  camera: { type: 'string' },
  device: { type: 'string' },
  type: { type: 'string' },
  label: { type: 'string' },
  zone: { type: 'string' },
  line: { type: 'string' },
} as const;

const eventFilterOptions = { ...filterOptions, track: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' } } as const;

interface FilterValues {
  camera?: string;
  device?: string;
  type?: string;
  label?: string;
  zone?: string;
  line?: string;
  track?: string;
  since?: string;
  until?: string;
}

export async function eventsCommand(argv: string[]): Promise<number> {
  const [sub, rest] = splitSubcommand(argv);
  switch (sub) {
    case 'list': {
      const { values, positionals } = parseCommandArgs(rest, { ...hubOptions, ...eventFilterOptions, limit: { type: 'string' }, cursor: { type: 'string' } });
      takePositionals(positionals, [], 'events list');
      const filter = eventFilter(values);
      const limit = parseNumberOption('limit', values.limit, { min: 1, max: 1000, integer: true });
      return withHub(values, async ({ client }) => {
        const page = await client.events.list({ ...filter, limit, cursor: values.cursor });
        if (values.json) {
          printJson(page);
          return 0;
        }
        console.log(page.events.length === 0 ? 'no events' : eventsTable(page.events));
        if (page.nextCursor) console.error(`more events: add --cursor ${page.nextCursor}`);
        return 0;
      });
    }
    case 'follow': {
      const { values, positionals } = parseCommandArgs(rest, { ...hubOptions, ...eventFilterOptions });
      takePositionals(positionals, [], 'events follow');
      const filter = eventFilter(values);
      return withHub(values, ({ client, hubUrl }) => follow(client.events, filter, Boolean(values.json), hubUrl));
    }
    case 'counts': {
      const { values, positionals } = parseCommandArgs(rest, { ...hubOptions, ...filterOptions, from: { type: 'string' }, to: { type: 'string' }, bucket: { type: 'string' } });
      takePositionals(positionals, [], 'events counts');
      if (values.device !== undefined) throw new UsageError('counts are kept per camera: use --camera instead of --device');
      const now = Date.now();
      const from = parseTimeArg('from', values.from, now);
      if (from === undefined) throw new UsageError('events counts needs --from (e.g. --from 24h)');
      const to = parseTimeArg('to', values.to, now) ?? now;
      if (to <= from) throw new UsageError('--to must be after --from');
      const bucket = oneOf('bucket', values.bucket, BUCKETS);
      const filter = eventFilter(values);
      return withHub(values, async ({ client }) => {
        const counts = await client.counts.get({ from, to, bucket, cameraId: filter.cameraId, zoneId: filter.zoneId, lineId: filter.lineId, label: filter.label, type: filter.type });
        if (values.json) printJson(counts);
        else console.log(counts.points.length === 0 ? 'no events in that period' : countsTable(counts));
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown events subcommand "${sub}"`);
  }
}

/** Prints live events until Ctrl-C (exit 0); the hub closing the stream is an error (exit 1). */
async function follow(
  events: SightlineClient['events'],
  filter: EventFilter,
  json: boolean,
  hubUrl: string,
): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const onOpen = () => console.error(`following events from ${hubUrl} (Ctrl-C to stop)`);
    for await (const stored of events.stream(filter, { signal: controller.signal, onOpen })) {
      console.log(json ? JSON.stringify(stored) : eventLine(stored));
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (controller.signal.aborted) return 0;
  console.error('error: the hub closed the event stream (stream_closed)');
  return 1;
}

function eventFilter(values: FilterValues): EventFilter {
  const now = Date.now();
  const from = parseTimeArg('since', values.since, now);
  const to = parseTimeArg('until', values.until, now);
  if (from !== undefined && to !== undefined && to <= from) throw new UsageError('--until must be after --since');
  return {
    cameraId: values.camera,
    deviceId: values.device,
    type: oneOf('type', values.type, EVENT_TYPES),
    label: values.label,
    zoneId: values.zone,
    lineId: values.line,
    trackId: parseNumberOption('track', values.track, { min: 1, max: 2 ** 31, integer: true }),
    from,
    to,
  };
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** Where it happened and how: the zone (with dwell) or the line (with direction). */
function eventPlace(e: StoredEvent['event']): [string, string] {
  if (e.type === 'line.cross') return [e.lineId, e.direction];
  if (e.type === 'zone.enter') return [e.zoneId, ''];
  return [e.zoneId, `${e.dwell.toFixed(1)} s`];
}

function eventCells({ event: e }: StoredEvent): string[] {
  const [where, detail] = eventPlace(e);
  return [formatTime(e.wallTime), e.cameraId, e.type, e.label, `#${e.trackId}`, where, detail, e.confidence.toFixed(2)];
}

function eventsTable(events: StoredEvent[]): string {
  return formatTable(['TIME', 'CAMERA', 'TYPE', 'LABEL', 'TRACK', 'WHERE', 'DETAIL', 'CONF'], events.map(eventCells));
}

/** One live event a line, with fixed-width columns so a scrolling terminal stays readable. */
function eventLine(stored: StoredEvent): string {
  const widths = [19, 16, 11, 12, 6, 16, 8];
  return eventCells(stored)
    .map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]!) : cell))
    .join('  ');
}

function countsTable(counts: CountsResponse): string {
  const rows = counts.points.map((p) => [formatTime(p.bucketStart), p.cameraId, p.type, p.zoneId ?? p.lineId ?? '', p.direction ?? '', p.label, String(p.count)]);
  const total = counts.points.reduce((sum, p) => sum + p.count, 0);
  return `${formatTable([counts.bucket.toUpperCase(), 'CAMERA', 'TYPE', 'WHERE', 'DIR', 'LABEL', 'COUNT'], rows)}\ntotal ${total}`;
}
