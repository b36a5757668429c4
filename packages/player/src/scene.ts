/**
 * Zones and lines of a camera, as drawn over its video. The shapes are those of the protocol's Zone and Line
 * (normalized 0..1 points), reduced to what drawing needs, so a camera's `config.analytics` can be passed as it is.
 */
export type NormalizedPoint = readonly [number, number];

export interface SceneZone {
  id: string;
  name?: string | undefined;
  polygon: readonly NormalizedPoint[];
}

export interface SceneLine {
  id: string;
  name?: string | undefined;
  a: NormalizedPoint;
  b: NormalizedPoint;
  /** Swaps which side is "in" (see the protocol's LineSchema). */
  invert?: boolean | undefined;
}

export interface Scene {
  zones: readonly SceneZone[];
  lines: readonly SceneLine[];
}

export const EMPTY_SCENE: Scene = { zones: [], lines: [] };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function point(value: unknown): NormalizedPoint | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [x, y] = value as unknown[];
  if (typeof x !== 'number' || typeof y !== 'number' || !(x >= 0 && x <= 1 && y >= 0 && y <= 1)) return undefined;
  return [x, y];
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value.slice(0, 200) : undefined);

function zone(value: unknown): SceneZone | undefined {
  if (!isRecord(value) || typeof value.id !== 'string' || !Array.isArray(value.polygon)) return undefined;
  const polygon = value.polygon.map(point);
  if (polygon.length < 3 || polygon.some((p) => p === undefined)) return undefined;
  return { id: value.id, name: text(value.name), polygon: polygon as NormalizedPoint[] };
}

function line(value: unknown): SceneLine | undefined {
  if (!isRecord(value) || typeof value.id !== 'string') return undefined;
  const a = point(value.a);
  const b = point(value.b);
  if (!a || !b) return undefined;
  return { id: value.id, name: text(value.name), a, b, invert: value.invert === true };
}

/**
 * The zones and lines of a camera from `GET /api/v1/cameras/:id` (`config.analytics`). Malformed entries are left
 * out rather than failing the whole scene: a drawing aid should not stop the video.
 */
export function sceneFromCamera(camera: unknown): Scene {
  const config = isRecord(camera) ? camera.config : undefined;
  const analytics = isRecord(config) ? config.analytics : undefined;
  if (!isRecord(analytics)) return EMPTY_SCENE;
  const zones = Array.isArray(analytics.zones) ? analytics.zones.map(zone).filter((z): z is SceneZone => z !== undefined) : [];
  const lines = Array.isArray(analytics.lines) ? analytics.lines.map(line).filter((l): l is SceneLine => l !== undefined) : [];
  return { zones, lines };
}
