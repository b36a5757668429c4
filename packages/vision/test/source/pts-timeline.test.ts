import { describe, expect, it } from 'vitest';
import { PtsTimeline } from '../../src/source/pts-timeline.js';

describe('PtsTimeline', () => {
  it("keeps the first run's own timestamps", () => {
    const timeline = new PtsTimeline(false);
    timeline.startRun();
    expect([0.5, 0.54, 0.58].map((p, i) => timeline.map(p, i * 40))).toEqual([0.5, 0.54, 0.58]);
  });

  it('places a reconnected run after the previous one plus the time spent reconnecting', () => {
    const timeline = new PtsTimeline(true);
    timeline.startRun();
    timeline.map(0, 0);
    expect(timeline.map(1, 1000)).toBe(1);
    timeline.startRun();
    // ffmpeg restarts near zero; 2.5 s of wall time passed since the last frame.
    expect(timeline.map(0.2, 3500)).toBeCloseTo(3.5, 9);
    expect(timeline.map(0.3, 3600)).toBeCloseTo(3.6, 9);
  });

  it('re-anchors a live clock that jumps backwards, and fills in missing pts', () => {
    const timeline = new PtsTimeline(true);
    timeline.startRun();
    timeline.map(10, 0);
    timeline.map(10.1, 100);
    const afterJump = timeline.map(2, 200);
    expect(afterJump).toBeCloseTo(10.2, 9);
    expect(timeline.map(2.1, 300)).toBeCloseTo(10.3, 9);
    expect(timeline.map(null, 400)).toBeCloseTo(10.4, 9);
  });
});
