import { describe, expect, it } from 'vitest';
import { AutoPlayoutDelay } from '../src/auto-playout-delay.js';
import { OverlaySlackTracker } from '../src/overlay-slack.js';

describe('overlay slack', () => {
  it('is the picture’s display time minus the overlay’s arrival, whichever comes first', () => {
    const slack = new OverlaySlackTracker();
    expect(slack.overlayArrived(3000, 1000)).toBeUndefined();
    expect(slack.picturePresented(3000, 1040)).toBe(40);
    expect(slack.picturePresented(6000, 1073)).toBeUndefined();
    expect(slack.overlayArrived(6000, 1100)).toBe(-27);
    // Each pair is used once.
    expect(slack.overlayArrived(6000, 1200)).toBeUndefined();
  });

  it('keeps a bounded memory of pictures that never get an overlay', () => {
    const slack = new OverlaySlackTracker();
    for (let i = 0; i < 10_000; i++) expect(slack.picturePresented(i * 3000, i)).toBeUndefined();
    expect(slack.overlayArrived(9999 * 3000, 10_010)).toBe(9999 - 10_010);
    expect(slack.overlayArrived(0, 10_010)).toBeUndefined();
  });
});

function fakeTarget() {
  const applied: number[] = [];
  const target = {
    playoutDelay: undefined as number | undefined,
    setPlayoutDelay(ms: number | undefined) {
      target.playoutDelay = ms;
      if (ms !== undefined) applied.push(ms);
    },
  };
  return { target, applied };
}

describe('automatic playout delay', () => {
  it('raises the delay by what was missing plus the margin, then waits for it to take effect', () => {
    const { target, applied } = fakeTarget();
    const auto = new AutoPlayoutDelay(target, { marginMs: 30 });
    // An overlay 40 ms after its picture was shown.
    auto.picturePresented(3000, 1000, 1000);
    auto.overlayArrived(3000, 1040);
    expect(applied).toEqual([70]);
    // Still late while the browser moves (settles 300 + 70 * 10 ms later): ignored.
    auto.picturePresented(6000, 1100, 1100);
    auto.overlayArrived(6000, 1120);
    expect(applied).toEqual([70]);
    // After it settled, a nearly late overlay (10 ms early, under half the margin) raises it by 20.
    auto.overlayArrived(9000, 2100);
    auto.picturePresented(9000, 2110, 2110);
    expect(applied).toEqual([70, 90]);
  });

  it('comes down by half the excess after a long run of early overlays, and never beyond its bounds', () => {
    const { target, applied } = fakeTarget();
    const auto = new AutoPlayoutDelay(target, { marginMs: 30, maxDelayMs: 200, lowerAfterMs: 5000 });
    auto.picturePresented(1, 0, 0);
    auto.overlayArrived(1, 1000); // 1 s late: capped
    expect(applied).toEqual([200]);
    // Settled after 300 + 2000 ms; then overlays 130 ms early for 5 s.
    for (let t = 4000; t <= 9100; t += 100) {
      auto.overlayArrived(t, t);
      auto.picturePresented(t, t + 130, t + 130);
    }
    expect(applied).toEqual([200, 150]);
    auto.picturePresented(undefined, 0, 20_000);
    expect(applied).toEqual([200, 150]);
  });
});
