import type { AccessUnit } from '@sightline/media';
import { StreamInputSchema } from '@sightline/protocol';
import { describe, expect, it } from 'vitest';
import { RefreshHistory } from '../src/capture/refresh-history.js';
import { keysymOfCode, xauthorityFile } from '../src/index.js';

const unit = (pts: number, keyframe = false): AccessUnit => ({ pts, dts: pts, keyframe, data: Buffer.alloc(10), receivedAt: 0 });

describe('RefreshHistory', () => {
  it('keeps what a joiner needs: from the IDR, then from the last completed sweep', () => {
    const history = new RefreshHistory();
    history.push(unit(0), false); // nothing to start from
    expect(history.snapshot()).toEqual([]);
    history.push(unit(1, true), false);
    history.push(unit(2), false);
    history.push(unit(3), true); // sweep 1 starts: the IDR is still the best start
    history.push(unit(4), false);
    expect(history.snapshot().map((u) => u.pts)).toEqual([1, 2, 3, 4]);
    history.push(unit(5), true); // sweep 1 complete: start from it
    history.push(unit(6), false);
    expect(history.snapshot().map((u) => u.pts)).toEqual([3, 4, 5, 6]);
    history.push(unit(7, true), false);
    expect(history.snapshot().map((u) => u.pts)).toEqual([7]);
  });
});

describe('input messages', () => {
  it('accepts the documented shapes and refuses anything else', () => {
    const ok = [
      { type: 'key', code: 'KeyW', down: true },
      { type: 'mouse-move', x: 0, y: 1 },
      { type: 'mouse-rel', dx: -5, dy: 12 },
      { type: 'button', button: 2, down: false },
      { type: 'wheel', dx: 0, dy: -3 },
      { type: 'gamepad', index: 0, buttons: [0, 1], axes: [0.5, -1] },
    ];
    for (const message of ok) expect(StreamInputSchema.safeParse(message).success, JSON.stringify(message)).toBe(true);
    const bad = [
      { type: 'key', code: 'Key W', down: true },
      { type: 'key', code: 'x'.repeat(33), down: true },
      { type: 'mouse-move', x: -0.1, y: 0 },
      { type: 'mouse-rel', dx: 1.5, dy: 0 },
      { type: 'mouse-rel', dx: 5000, dy: 0 },
      { type: 'button', button: 7, down: true },
      { type: 'wheel', dx: 0, dy: 1000 },
      { type: 'gamepad', index: 9, buttons: [], axes: [] },
      { type: 'text', text: 'hello' },
      null,
    ];
    for (const message of bad) expect(StreamInputSchema.safeParse(message).success, JSON.stringify(message)).toBe(false);
  });

  it('maps KeyboardEvent.code to keysyms', () => {
    expect(keysymOfCode('KeyA')).toBe(0x61);
    expect(keysymOfCode('Digit0')).toBe(0x30);
    expect(keysymOfCode('F12')).toBe(0xffc9);
    expect(keysymOfCode('ArrowUp')).toBe(0xff52);
    expect(keysymOfCode('Numpad5')).toBe(0xffb5);
    expect(keysymOfCode('F25')).toBeUndefined();
    expect(keysymOfCode('Nonsense')).toBeUndefined();
  });
});

describe('xauthorityFile', () => {
  it('writes one FamilyWild MIT-MAGIC-COOKIE-1 entry', () => {
    const cookie = Buffer.alloc(16, 7);
    const file = xauthorityFile(cookie, 12);
    expect(file.readUInt16BE(0)).toBe(0xffff);
    expect(file.includes(Buffer.from('MIT-MAGIC-COOKIE-1'))).toBe(true);
    expect(file.subarray(-16).equals(cookie)).toBe(true);
    expect(file.includes(Buffer.from([0, 2, 0x31, 0x32]))).toBe(true); // display "12"
  });
});
