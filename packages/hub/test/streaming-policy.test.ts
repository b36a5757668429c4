import { describe, expect, it } from 'vitest';
import type { HostCapacity } from '@sightline/protocol';
import { BitrateAdapter, encodingFor } from '../src/streaming/bitrate-adapter.js';
import { chooseHost, hostFits } from '../src/streaming/host-placement.js';

const x264 = { codec: 'h264' as const, encoder: 'libx264', hardware: false };
const nvenc = { codec: 'h264' as const, encoder: 'h264_nvenc', hardware: true };
const vp8 = { codec: 'vp8' as const, encoder: 'libvpx', hardware: false };
const capacity = (slots: number, encoders = [x264, vp8], max = { w: 1920, h: 1080, fps: 60 }): HostCapacity => ({
  slots,
  maxWidth: max.w,
  maxHeight: max.h,
  maxFps: max.fps,
  encoders,
});
const app = { width: 1280, height: 720, fps: 60, codec: 'h264' as const };

describe('session placement', () => {
  it('needs a host that fits the size, rate and codec', () => {
    expect(hostFits(app, capacity(1))).toBe(true);
    expect(hostFits({ ...app, fps: 120 }, capacity(1))).toBe(false);
    expect(hostFits({ ...app, width: 3840, height: 2160 }, capacity(1))).toBe(false);
    expect(hostFits({ ...app, codec: 'vp8' }, capacity(1, [x264]))).toBe(false);
  });

  it('prefers the most free slots, then a hardware encoder, then the id; full hosts get nothing', () => {
    expect(chooseHost(app, [{ hostId: 'a', capacity: capacity(2), assigned: 2 }])).toBeUndefined();
    expect(chooseHost(app, [{ hostId: 'b', capacity: capacity(4), assigned: 1 }, { hostId: 'a', capacity: capacity(2), assigned: 0 }])).toBe('b');
    expect(chooseHost(app, [{ hostId: 'a', capacity: capacity(2), assigned: 0 }, { hostId: 'z', capacity: capacity(2, [nvenc, x264]), assigned: 0 }])).toBe('z');
    expect(chooseHost(app, [{ hostId: 'b', capacity: capacity(2), assigned: 0 }, { hostId: 'a', capacity: capacity(2), assigned: 0 }])).toBe('a');
    expect(chooseHost(app, [{ hostId: 'small', capacity: capacity(8, [x264], { w: 640, h: 480, fps: 30 }), assigned: 0 }])).toBeUndefined();
  });
});

describe('bitrate adaptation from the player feedback', () => {
  it("ignores Chrome's estimate on a clean network, and caps at it when there is loss, with room and rate limits", () => {
    const adapter = new BitrateAdapter({ maxKbps: 4000, minIntervalMs: 2000 });
    expect(adapter.onFeedback({ kind: 'remb', bitrateBps: 250_000 }, 0)).toBeUndefined();
    expect(adapter.onFeedback({ kind: 'loss', fractionLost: 0, jitter: 10 }, 100)).toBeUndefined(); // clean: no change
    expect(adapter.targetKbps).toBe(4000);
    expect(adapter.onFeedback({ kind: 'remb', bitrateBps: 2_000_000 }, 1000)).toBeUndefined();
    expect(adapter.onFeedback({ kind: 'loss', fractionLost: 0.05, jitter: 10 }, 1100)).toBe(1800); // congested: 90 % of REMB
    expect(adapter.onFeedback({ kind: 'loss', fractionLost: 0.05, jitter: 10 }, 1500)).toBeUndefined(); // too soon after a change
    expect(adapter.onFeedback({ kind: 'remb', bitrateBps: 1_000_000 }, 3000)).toBeUndefined();
    expect(adapter.onFeedback({ kind: 'loss', fractionLost: 0.05, jitter: 10 }, 3200)).toBe(900);
    expect(adapter.onFeedback({ kind: 'remb', bitrateBps: 950_000 }, 6000)).toBeUndefined();
    expect(adapter.onFeedback({ kind: 'loss', fractionLost: 0.05, jitter: 10 }, 6100)).toBeUndefined(); // under 15 %: not worth an IDR
    // The network clears up: back up to the ceiling, 8 % a report, a change at most every 2 s.
    for (let i = 0; i < 100; i++) adapter.onFeedback({ kind: 'loss', fractionLost: 0, jitter: 10 }, 10_000 + i * 1000);
    expect(adapter.targetKbps).toBe(4000);
  });

  it('cuts on reported loss and recovers while the network is clean, never under the floor', () => {
    const adapter = new BitrateAdapter({ maxKbps: 4000, minKbps: 500, minIntervalMs: 0 });
    expect(adapter.onFeedback({ kind: 'loss', fractionLost: 0.2, jitter: 0 }, 0)).toBe(2800);
    expect(adapter.onFeedback({ kind: 'loss', fractionLost: 0.2, jitter: 0 }, 1)).toBe(1960);
    for (let i = 0; i < 20; i++) adapter.onFeedback({ kind: 'loss', fractionLost: 0.5, jitter: 0 }, 2 + i);
    expect(adapter.targetKbps).toBe(500);
    for (let i = 0; i < 60; i++) adapter.onFeedback({ kind: 'loss', fractionLost: 0, jitter: 0 }, 100 + i);
    expect(adapter.targetKbps).toBe(4000);
  });
});

describe('picture size and rate for a bitrate target', () => {
  const app = { bitrateKbps: 4000, fps: 60, height: 720 };
  it('keeps the app size down to 40 % of its bitrate, then two thirds of the height, then half at half the rate', () => {
    expect(encodingFor(4000, app)).toEqual({ bitrateKbps: 4000, fps: 60, height: 720 });
    expect(encodingFor(1600, app)).toEqual({ bitrateKbps: 1600, fps: 60, height: 720 });
    expect(encodingFor(1200, app)).toEqual({ bitrateKbps: 1200, fps: 60, height: 480 });
    expect(encodingFor(500, app)).toEqual({ bitrateKbps: 500, fps: 30, height: 360 });
    expect(encodingFor(300, { bitrateKbps: 4000, fps: 20, height: 200 })).toEqual({ bitrateKbps: 300, fps: 15, height: 100 });
  });
});
