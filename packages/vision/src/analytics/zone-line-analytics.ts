import {
  WHOLE_FRAME_ZONE_ID,
  type AnalyticsConfig,
  type AnalyticsState,
  type NormalizedPoint,
  type ObjectFilter,
  type SightlineEvent,
  type Track,
} from '@sightline/protocol';
import { EventFactory } from './analytics-events.js';
import { anchorPoint, pointInPolygon } from './geometry.js';
import { LineCrossingTracker, type CountingLine, type CrossingDirection } from './line-crossing.js';
import { passesFilter } from './object-filter.js';
import { sightingOf, type Sighting } from './sighting.js';
import { ZoneVisit, type ZoneVisitRules } from './zone-visit.js';

export interface ZoneLineAnalyticsOptions {
  cameraId: string;
  config: AnalyticsConfig;
  /**
   * A track that is missing from the track list (or reported `lost`) for longer than this many
   * source seconds leaves its zones. Long enough to ride out a tracker's brief loss of an object, so
   * one visit is not split into two. Default 2. A track reported `removed` leaves at once.
   */
  exitAfterMissingSeconds?: number;
  /** Consecutive frames an object must qualify inside a zone before `zone.enter` fires. Default 1. */
  minFramesInside?: number;
  /** Consecutive frames an object must be outside a zone before `zone.exit` fires. Default 1. */
  minFramesOutside?: number;
  /**
   * Half-width of the dead band around each counting line, in normalized frame units: an anchor
   * must get this far from the line before its side counts (see LineCrossingTracker). Default 0.01.
   */
  lineHysteresis?: number;
}

/** One analysed frame: tracks in source pixels of a `width` × `height` frame. */
export interface AnalyticsFrame {
  tracks: readonly Track[];
  frameIndex: number;
  /** Source presentation timestamp, seconds. */
  pts: number;
  width: number;
  height: number;
  /** Unix milliseconds the frame was processed; now when absent. */
  wallTime?: number;
}

const DEFAULTS = { exitAfterMissingSeconds: 2, minFramesInside: 1, minFramesOutside: 1, lineHysteresis: 0.01 };
const WHOLE_FRAME_FILTER: ObjectFilter = { minConfidence: 0, minArea: 0, anchor: 'bottom-center' };

interface CompiledZone {
  id: string;
  /** Undefined for the whole-frame zone, which contains every anchor including those on the frame edge. */
  polygon: readonly NormalizedPoint[] | undefined;
  filter: ObjectFilter;
  rules: ZoneVisitRules;
}

interface CompiledLine {
  id: string;
  geometry: CountingLine;
  filter: ObjectFilter;
}

interface TrackMemory {
  last: Sighting;
  zones: Map<string, ZoneVisit>;
  /** The class each zone's occupancy counted the track under when it entered; trackers may relabel later. */
  enteredAs: Map<string, string>;
  lines: Map<string, LineCrossingTracker>;
}

interface DirectionCounts {
  in: number;
  out: number;
}
interface LineTally extends DirectionCounts {
  byClass: Map<string, DirectionCounts>;
}

/**
 * Turns the tracks of each analysed frame into zone and line events and live counters for one
 * camera. Feed frames in order with `update`; call `flush` when the source ends so every object
 * that entered a zone also exits it.
 *
 * Tracks in state `tentative` or `confirmed` are observations; a `lost` track's box is the
 * tracker's prediction and is ignored, and a `removed` one leaves at once. An exit for a track that
 * vanished carries its last sighting (box, frameIndex, sourceTs), not the frame that noticed it was
 * gone; its wallTime is when the exit was decided.
 */
export class ZoneLineAnalytics {
  readonly cameraId: string;
  private readonly exitAfterMissingSeconds: number;
  private readonly minFramesInside: number;
  private readonly minFramesOutside: number;
  private readonly lineHysteresis: number;
  private readonly events: EventFactory;

  private zones: CompiledZone[] = [];
  private lines: CompiledLine[] = [];
  private readonly memories = new Map<number, TrackMemory>();
  private readonly occupancy = new Map<string, Map<string, number>>();
  private readonly lineTallies = new Map<string, LineTally>();
  private lastPts = 0;

  constructor(options: ZoneLineAnalyticsOptions) {
    if (options.cameraId.length === 0) throw new RangeError('cameraId must not be empty');
    this.cameraId = options.cameraId;
    this.exitAfterMissingSeconds = nonNegative('exitAfterMissingSeconds', options.exitAfterMissingSeconds ?? DEFAULTS.exitAfterMissingSeconds);
    this.minFramesInside = positiveInteger('minFramesInside', options.minFramesInside ?? DEFAULTS.minFramesInside);
    this.minFramesOutside = positiveInteger('minFramesOutside', options.minFramesOutside ?? DEFAULTS.minFramesOutside);
    this.lineHysteresis = nonNegative('lineHysteresis', options.lineHysteresis ?? DEFAULTS.lineHysteresis);
    this.events = new EventFactory(options.cameraId);
    this.applyConfig(options.config);
  }

  /** Processes one frame's tracks and returns the events it caused, in order. */
  update(frame: AnalyticsFrame): SightlineEvent[] {
    validateFrame(frame);
    const wallTime = Math.round(frame.wallTime ?? Date.now());
    this.lastPts = frame.pts;
    const out: SightlineEvent[] = [];
    const removedNow = new Set<number>();

    const observed = frame.tracks.filter((t) => {
      if (t.state === 'removed') removedNow.add(t.trackId);
      // A lost track's box is the tracker's guess, not an observation.
      return t.state === 'tentative' || t.state === 'confirmed';
    });
    observed.sort((a, b) => a.trackId - b.trackId);
    const seen = new Set<number>();
    for (const track of observed) {
      if (seen.has(track.trackId)) continue;
      seen.add(track.trackId);
      this.observe(sightingOf(track, frame.frameIndex, frame.pts, frame.width, frame.height), wallTime, out);
    }

    for (const [trackId, memory] of [...this.memories].sort(([a], [b]) => a - b)) {
      if (seen.has(trackId)) continue;
      if (removedNow.has(trackId) || frame.pts - memory.last.pts > this.exitAfterMissingSeconds) {
        this.retire(trackId, memory, wallTime, out);
      }
    }
    return out;
  }

  /** Ends every track still known: exits for all zone visits, and crossings still under way. */
  flush(pts?: number, wallTime: number = Date.now()): SightlineEvent[] {
    if (pts !== undefined) this.lastPts = pts;
    const out: SightlineEvent[] = [];
    for (const [trackId, memory] of [...this.memories].sort(([a], [b]) => a - b)) {
      this.retire(trackId, memory, Math.round(wallTime), out);
    }
    return out;
  }

  /** Live counters: current occupancy of each zone per class, and crossings of each line. */
  state(): AnalyticsState {
    const occupancy: AnalyticsState['occupancy'] = {};
    for (const zone of this.zones) {
      occupancy[zone.id] = Object.fromEntries(this.occupancy.get(zone.id) ?? []);
    }
    const lineCounts: AnalyticsState['lineCounts'] = {};
    for (const line of this.lines) {
      const tally = this.lineTallies.get(line.id);
      lineCounts[line.id] = {
        in: tally?.in ?? 0,
        out: tally?.out ?? 0,
        byClass: Object.fromEntries([...(tally?.byClass ?? [])].map(([label, c]) => [label, { ...c }])),
      };
    }
    return { cameraId: this.cameraId, sourceTs: this.lastPts, occupancy, lineCounts };
  }

  /**
   * Switches to a new config while running. Zones and lines whose ids persist keep their visitors
   * and counts; visitors of removed zones get `zone.exit` events (returned), so every enter still
   * has an exit. A line whose geometry changed keeps its counts but forgets which side tracks were on.
   */
  reconfigure(config: AnalyticsConfig, wallTime: number = Date.now()): SightlineEvent[] {
    const before = new Map(this.lines.map((l) => [l.id, l.geometry]));
    this.applyConfig(config);
    const zoneIds = new Set(this.zones.map((z) => z.id));
    const lines = new Map(this.lines.map((l) => [l.id, l]));
    const out: SightlineEvent[] = [];

    for (const memory of this.memories.values()) {
      for (const [zoneId, visit] of memory.zones) {
        if (zoneIds.has(zoneId)) continue;
        for (const t of visit.leave()) {
          if (t.kind === 'exit') out.push(this.zoneExit(memory, zoneId, t.dwell, Math.round(wallTime)));
        }
        memory.zones.delete(zoneId);
      }
      for (const zone of this.zones) memory.zones.get(zone.id)?.updateRules(zone.rules);
      for (const lineId of [...memory.lines.keys()]) {
        const line = lines.get(lineId);
        if (line === undefined || !sameGeometry(before.get(lineId), line.geometry)) memory.lines.delete(lineId);
      }
    }
    for (const zoneId of [...this.occupancy.keys()]) if (!zoneIds.has(zoneId)) this.occupancy.delete(zoneId);
    for (const lineId of [...this.lineTallies.keys()]) if (!lines.has(lineId)) this.lineTallies.delete(lineId);
    return out;
  }

  private applyConfig(config: AnalyticsConfig): void {
    const rules = (loiterSeconds: number | undefined): ZoneVisitRules => ({
      minFramesInside: this.minFramesInside,
      minFramesOutside: this.minFramesOutside,
      loiterSeconds,
    });
    this.zones = config.zones.map((z) => ({ id: z.id, polygon: z.polygon, filter: z.filter, rules: rules(z.loiterSeconds) }));
    if (config.zones.length === 0 && config.lines.length === 0) {
      this.zones = [{ id: WHOLE_FRAME_ZONE_ID, polygon: undefined, filter: WHOLE_FRAME_FILTER, rules: rules(undefined) }];
    }
    this.lines = config.lines.map((l) => ({ id: l.id, geometry: { a: l.a, b: l.b, invert: l.invert }, filter: l.filter }));
  }

  private observe(sighting: Sighting, wallTime: number, out: SightlineEvent[]): void {
    let memory = this.memories.get(sighting.trackId);
    if (memory === undefined) {
      memory = { last: sighting, zones: new Map(), enteredAs: new Map(), lines: new Map() };
      this.memories.set(sighting.trackId, memory);
    }
    memory.last = sighting;

    for (const zone of this.zones) {
      let visit = memory.zones.get(zone.id);
      if (visit === undefined) {
        visit = new ZoneVisit(zone.rules);
        memory.zones.set(zone.id, visit);
      }
      const anchor = anchorPoint(sighting.bbox, zone.filter.anchor);
      const anchorInside = zone.polygon === undefined || pointInPolygon(anchor, zone.polygon);
      for (const t of visit.observe(anchorInside, passesFilter(sighting, zone.filter), sighting.pts)) {
        if (t.kind === 'enter') {
          memory.enteredAs.set(zone.id, sighting.label);
          this.changeOccupancy(zone.id, sighting.label, +1);
          out.push(this.events.make(sighting, wallTime, { type: 'zone.enter', zoneId: zone.id }));
        } else if (t.kind === 'exit') {
          out.push(this.zoneExit(memory, zone.id, t.dwell, wallTime));
        } else {
          out.push(this.events.make(sighting, wallTime, { type: 'zone.loiter', zoneId: zone.id, dwell: t.dwell }));
        }
      }
    }

    for (const line of this.lines) {
      // Filters pick which observations count; a crossing is judged between qualifying ones.
      if (!passesFilter(sighting, line.filter)) continue;
      let tracker = memory.lines.get(line.id);
      if (tracker === undefined) {
        tracker = new LineCrossingTracker(line.geometry, this.lineHysteresis);
        memory.lines.set(line.id, tracker);
      }
      const direction = tracker.observe(anchorPoint(sighting.bbox, line.filter.anchor));
      if (direction !== undefined) out.push(this.lineCross(sighting, line.id, direction, wallTime));
    }
  }

  /** The track is gone: exit its zones at its last sighting and settle crossings under way. */
  private retire(trackId: number, memory: TrackMemory, wallTime: number, out: SightlineEvent[]): void {
    for (const [zoneId, visit] of memory.zones) {
      for (const t of visit.leave()) {
        if (t.kind === 'exit') out.push(this.zoneExit(memory, zoneId, t.dwell, wallTime));
      }
    }
    for (const [lineId, tracker] of memory.lines) {
      const direction = tracker.finish();
      if (direction !== undefined) out.push(this.lineCross(memory.last, lineId, direction, wallTime));
    }
    this.memories.delete(trackId);
  }

  /** An exit at the track's latest sighting (the current frame, or the last one it was seen on). */
  private zoneExit(memory: TrackMemory, zoneId: string, dwell: number, wallTime: number): SightlineEvent {
    this.changeOccupancy(zoneId, memory.enteredAs.get(zoneId) ?? memory.last.label, -1);
    memory.enteredAs.delete(zoneId);
    return this.events.make(memory.last, wallTime, { type: 'zone.exit', zoneId, dwell });
  }

  private lineCross(sighting: Sighting, lineId: string, direction: CrossingDirection, wallTime: number): SightlineEvent {
    let tally = this.lineTallies.get(lineId);
    if (tally === undefined) {
      tally = { in: 0, out: 0, byClass: new Map() };
      this.lineTallies.set(lineId, tally);
    }
    let perClass = tally.byClass.get(sighting.label);
    if (perClass === undefined) {
      perClass = { in: 0, out: 0 };
      tally.byClass.set(sighting.label, perClass);
    }
    tally[direction]++;
    perClass[direction]++;
    return this.events.make(sighting, wallTime, { type: 'line.cross', lineId, direction });
  }

  private changeOccupancy(zoneId: string, label: string, delta: 1 | -1): void {
    let perClass = this.occupancy.get(zoneId);
    if (perClass === undefined) {
      perClass = new Map();
      this.occupancy.set(zoneId, perClass);
    }
    const next = (perClass.get(label) ?? 0) + delta;
    if (next > 0) perClass.set(label, next);
    else perClass.delete(label);
  }
}

function sameGeometry(a: CountingLine | undefined, b: CountingLine): boolean {
  return a !== undefined && a.invert === b.invert && a.a[0] === b.a[0] && a.a[1] === b.a[1] && a.b[0] === b.b[0] && a.b[1] === b.b[1];
}

function validateFrame(frame: AnalyticsFrame): void {
  if (!Number.isInteger(frame.width) || frame.width <= 0 || !Number.isInteger(frame.height) || frame.height <= 0) {
    throw new RangeError(`frame size must be positive integers, got ${frame.width}x${frame.height}`);
  }
  if (!Number.isInteger(frame.frameIndex) || frame.frameIndex < 0) {
    throw new RangeError(`frameIndex must be a non-negative integer, got ${frame.frameIndex}`);
  }
  if (!Number.isFinite(frame.pts)) throw new RangeError(`pts must be a finite number, got ${frame.pts}`);
  if (frame.wallTime !== undefined && !(Number.isFinite(frame.wallTime) && frame.wallTime >= 0)) {
    throw new RangeError(`wallTime must be Unix milliseconds, got ${frame.wallTime}`);
  }
}

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be a non-negative number, got ${v}`);
  return v;
}

function positiveInteger(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}
