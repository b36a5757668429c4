import type { AnalyticsConfig, AnalyticsConfigInput, Line, ObjectFilter, Zone } from '@sightline/protocol';

export type Point = [number, number];

/** What the editor lets people change, plus the rest of the stored filter so that a save keeps it. */
interface EditableFilter {
  /** Comma-separated class names; empty means every class. */
  classes: string;
  minConfidence: number;
  rest: Omit<ObjectFilter, 'classes' | 'minConfidence'>;
}

export interface EditableZone extends EditableFilter {
  kind: 'zone';
  id: string;
  name: string;
  polygon: Point[];
  loiterSeconds: number | undefined;
}

export interface EditableLine extends EditableFilter {
  kind: 'line';
  id: string;
  name: string;
  a: Point;
  b: Point;
  invert: boolean;
}

export type EditableShape = EditableZone | EditableLine;

const DEFAULT_REST: EditableFilter['rest'] = { minArea: 0, anchor: 'bottom-center' };

function editableFilter(filter: ObjectFilter | undefined): EditableFilter {
  const { classes, minConfidence, ...rest } = filter ?? { minConfidence: 0, ...DEFAULT_REST };
  return { classes: (classes ?? []).join(', '), minConfidence: minConfidence ?? 0, rest: { ...DEFAULT_REST, ...rest } };
}

export function shapesOf(config: AnalyticsConfig): EditableShape[] {
  return [
    ...config.zones.map((z: Zone): EditableZone => ({
      kind: 'zone',
      id: z.id,
      name: z.name ?? '',
      polygon: z.polygon.map(([x, y]) => [x, y] as Point),
      loiterSeconds: z.loiterSeconds,
      ...editableFilter(z.filter),
    })),
    ...config.lines.map((l: Line): EditableLine => ({
      kind: 'line',
      id: l.id,
      name: l.name ?? '',
      a: [l.a[0], l.a[1]],
      b: [l.b[0], l.b[1]],
      invert: l.invert,
      ...editableFilter(l.filter),
    })),
  ];
}

function filterOf(shape: EditableShape): ObjectFilter {
  const classes = shape.classes
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  return { ...shape.rest, minConfidence: shape.minConfidence, ...(classes.length > 0 ? { classes } : {}) };
}

/** Rounded, so a saved config reads well and does not change by a hair each time it is loaded and saved. */
const round = (p: Point): Point => [Math.round(p[0] * 10_000) / 10_000, Math.round(p[1] * 10_000) / 10_000];

/** The body of the camera PATCH; the hub validates it (and names the bad field if anything is wrong). */
export function analyticsOf(shapes: readonly EditableShape[]): AnalyticsConfigInput {
  const zones: Zone[] = [];
  const lines: Line[] = [];
  for (const shape of shapes) {
    if (shape.kind === 'zone') {
      zones.push({
        id: shape.id,
        ...(shape.name ? { name: shape.name } : {}),
        polygon: shape.polygon.map(round),
        filter: filterOf(shape),
        ...(shape.loiterSeconds ? { loiterSeconds: shape.loiterSeconds } : {}),
      });
    } else {
      lines.push({ id: shape.id, ...(shape.name ? { name: shape.name } : {}), a: round(shape.a), b: round(shape.b), invert: shape.invert, filter: filterOf(shape) });
    }
  }
  return { zones, lines };
}

/** The first free id of the form `zone-1`, `line-2`. */
export function freeId(prefix: string, shapes: readonly EditableShape[]): string {
  const taken = new Set(shapes.map((s) => s.id));
  for (let n = 1; ; n += 1) if (!taken.has(`${prefix}-${n}`)) return `${prefix}-${n}`;
}

export function newZone(id: string, polygon: Point[]): EditableZone {
  return { kind: 'zone', id, name: '', polygon, loiterSeconds: undefined, ...editableFilter(undefined) };
}

export function newLine(id: string, a: Point, b: Point): EditableLine {
  return { kind: 'line', id, name: '', a, b, invert: false, ...editableFilter(undefined) };
}

export const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
