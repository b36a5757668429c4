import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AnalyticsConfigSchema, ValidationError, parseOrThrow, type AnalyticsConfig } from '@sightline/protocol';

const WHAT = 'analytics config';

/** A config file that could not be read or is not well-formed YAML/JSON; schema problems are ValidationErrors. */
export class AnalyticsConfigError extends Error {
  override readonly name = 'AnalyticsConfigError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Validates an already-parsed config object. Throws a ValidationError naming every bad field. */
export function parseAnalyticsConfig(value: unknown): AnalyticsConfig {
  const outOfRange = findOutOfRangeCoordinates(value);
  if (outOfRange.length > 0) {
    throw new ValidationError(
      WHAT,
      outOfRange.map((p) => ({
        path: p.path,
        message:
          `coordinates are normalized 0-1 (got ${p.value})` +
          (p.value > 1 ? '; divide pixel positions by the frame width and height' : ''),
      })),
    );
  }
  return parseOrThrow(AnalyticsConfigSchema, value, WHAT);
}

/** Reads a YAML or JSON analytics config file (JSON is valid YAML, so any extension other than .json parses as YAML). */
export async function loadAnalyticsConfig(path: string): Promise<AnalyticsConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new AnalyticsConfigError(path, `cannot read analytics config ${path}: ${(cause as Error).message}`, { cause });
  }
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new AnalyticsConfigError(path, `analytics config ${path} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(cause as Error).message}`, { cause });
  }
  // An empty file means "no zones, no lines": the whole-frame default.
  return parseAnalyticsConfig(value ?? {});
}

interface BadCoordinate {
  path: string;
  value: number;
}

/**
 * Finds zone and line coordinates outside 0-1; above 1 they are almost always pixels pasted from an
 * image editor. The schema would reject them too, but with "too big", which does not say what to do.
 */
function findOutOfRangeCoordinates(value: unknown): BadCoordinate[] {
  if (!isRecord(value)) return [];
  const found: BadCoordinate[] = [];
  const checkPoint = (point: unknown, path: string) => {
    if (!Array.isArray(point)) return;
    point.forEach((v, i) => {
      if (typeof v === 'number' && (v > 1 || v < 0)) found.push({ path: `${path}[${i}]`, value: v });
    });
  };
  asArray(value.zones).forEach((zone, z) => {
    if (isRecord(zone)) asArray(zone.polygon).forEach((point, p) => checkPoint(point, `zones[${z}].polygon[${p}]`));
  });
  asArray(value.lines).forEach((line, l) => {
    if (!isRecord(line)) return;
    checkPoint(line.a, `lines[${l}].a`);
    checkPoint(line.b, `lines[${l}].b`);
  });
  return found;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
