import { describe, expect, it } from 'vitest';
import { OverlayTimeliness } from '../src/overlay-timeliness.js';

describe('overlay timeliness', () => {
  it('counts frames that arrive before their picture as on time and the others as late, across the wrap', () => {
    const timeliness = new OverlayTimeliness();
    timeliness.record(0xffffffff - 2999, undefined); // nothing on screen yet: not counted
    timeliness.record(3000, 0xffffffff - 2999); // the picture on screen is 6000 ticks earlier
    timeliness.record(3000, 3000); // its own picture is already up
    timeliness.record(0xffffff00, 9000 - 256); // 9000 ticks (100 ms) behind, across the wrap
    expect(timeliness.snapshot).toEqual({ onTime: 1, late: 2, lastLateMs: 100, maxLateMs: 100 });
  });
});
