import { UsageError } from './usage-error.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A time option as Unix ms: a duration before now (`90s`, `10m`, `2h`, `7d`, `1w`), `now`, Unix milliseconds,
 * or an ISO-8601 date or time (`2026-11-03`, `2026-11-03T08:00:00Z`; without an offset it is local time).
 */
export function parseTimeArg(name: string, value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const ago = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text);
  if (ago) return Math.round(now - Number(ago[1]) * UNIT_MS[ago[2]!]!);
  if (text === 'now') return now;
  if (/^\d{10,}$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  throw new UsageError(`--${name} must be a duration ago (10m, 2h, 7d), an ISO time (2026-11-03T08:00:00Z) or Unix ms, got "${value}"`);
}
