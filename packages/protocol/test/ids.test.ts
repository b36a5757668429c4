import { describe, expect, it } from 'vitest';
import { idTimeMs, newId, UUID_V7_PATTERN } from '../src/ids.js';

describe('newId (UUIDv7)', () => {
  it('is a valid v7 uuid carrying its creation time', () => {
    const id = newId(1_700_000_000_123);
    expect(id).toMatch(UUID_V7_PATTERN);
    expect(idTimeMs(id)).toBe(1_700_000_000_123);
  });

  it('sorts in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId(1_800_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never goes backwards when the clock does', () => {
    const a = newId(1_900_000_000_500);
    const b = newId(1_900_000_000_100);
    expect(b > a).toBe(true);
  });
});
