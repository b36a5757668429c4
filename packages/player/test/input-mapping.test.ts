import { StreamInputSchema } from '@sightline/protocol';
import { describe, expect, it } from 'vitest';
import { channelFor } from '../src/input-channels.js';
import {
  RelativeMotion,
  WheelAccumulator,
  gamepadState,
  isNeutralGamepadState,
  isSendableKeyCode,
  neutralGamepadState,
  pictureNormalized,
  sameGamepadState,
} from '../src/input-mapping.js';

describe('pointer positions in the picture', () => {
  // A 640x480 element at (7, 13) showing a 640x360 picture letterboxed (contain): the picture lies at y 73..433.
  const content = { x: 7, y: 13, width: 640, height: 480 };
  const picture = { width: 640, height: 360 };

  it('normalizes to the picture, not the element', () => {
    expect(pictureNormalized({ x: 7 + 320, y: 13 + 240 }, content, picture)).toEqual({ x: 0.5, y: 0.5 });
    expect(pictureNormalized({ x: 7, y: 73 }, content, picture)).toEqual({ x: 0, y: 0 });
    expect(pictureNormalized({ x: 647, y: 433 }, content, picture)).toEqual({ x: 1, y: 1 });
    expect(pictureNormalized({ x: 7 + 160, y: 73 + 90 }, content, picture)).toEqual({ x: 0.25, y: 0.25 });
  });

  it('clamps the letterbox bars and beyond to the edges', () => {
    expect(pictureNormalized({ x: 100, y: 20 }, content, picture).y).toBe(0);
    expect(pictureNormalized({ x: 100, y: 470 }, content, picture).y).toBe(1);
    expect(pictureNormalized({ x: -50, y: 200 }, content, picture).x).toBe(0);
  });

  it('follows object-fit, and uses the whole box before the picture size is known', () => {
    // cover: a 640x360 picture in 480x480 is scaled to 853.3x480, cropped left and right.
    const square = { x: 0, y: 0, width: 480, height: 480 };
    expect(pictureNormalized({ x: 240, y: 240 }, square, picture, 'cover')).toEqual({ x: 0.5, y: 0.5 });
    expect(pictureNormalized({ x: 0, y: 0 }, square, picture, 'cover').x).toBeCloseTo((853.333 - 480) / 2 / 853.333, 3);
    expect(pictureNormalized({ x: 7 + 64, y: 13 + 48 }, content, { width: 0, height: 0 })).toEqual({ x: 0.1, y: 0.1 });
    expect(pictureNormalized({ x: 5, y: 5 }, { x: 0, y: 0, width: 0, height: 0 }, picture)).toEqual({ x: 0, y: 0 });
  });
});

describe('wheel notches', () => {
  it('counts 100 pixels, 3 lines or 1 page as a notch, keeping the remainder', () => {
    const wheel = new WheelAccumulator();
    wheel.add(0, 100, 0, 0);
    expect(wheel.take()).toEqual({ dx: 0, dy: 1 });
    wheel.add(0, 60, 0, 10);
    expect(wheel.take()).toBeUndefined();
    wheel.add(0, 60, 0, 20);
    expect(wheel.take()).toEqual({ dx: 0, dy: 1 });
    wheel.add(0, -6, 1, 30);
    expect(wheel.take()).toEqual({ dx: 0, dy: -1 });
    wheel.add(2, 0, 2, 40);
    expect(wheel.take()).toEqual({ dx: 2, dy: -0 });
  });

  it('forgets a fraction after a pause, and bounds what one message carries', () => {
    const wheel = new WheelAccumulator(1000);
    wheel.add(0, 90, 0, 0);
    wheel.add(0, 20, 0, 5000);
    expect(wheel.take()).toBeUndefined();
    wheel.add(0, 100 * 100, 0, 5001);
    expect(wheel.take()).toEqual({ dx: 0, dy: 20 });
    expect(wheel.take()).toEqual({ dx: 0, dy: 20 });
    expect(wheel.take()).toBeUndefined();
  });
});

describe('relative motion', () => {
  it('sums fractions into whole pixels and bounds a message', () => {
    const motion = new RelativeMotion();
    motion.add(0.6, -0.6);
    expect(motion.take()).toBeUndefined();
    motion.add(0.6, -0.6);
    expect(motion.take()).toEqual({ dx: 1, dy: -1 });
    // -0.2 of y was left over: 3 more make 2.8, so 2 leave now.
    motion.add(10_000, 3);
    expect(motion.take()).toEqual({ dx: 4096, dy: 2 });
    // A NaN is ignored; about 0.8 of y was left over.
    motion.add(NaN, 1.25);
    expect(motion.take()).toEqual({ dx: 0, dy: 2 });
  });
});

describe('gamepad states', () => {
  const pad = (buttons: number[], axes: number[], index = 0) => ({ index, buttons: buttons.map((value) => ({ value, pressed: value > 0.5 })), axes });

  it('rounds, clamps and applies a deadzone', () => {
    const state = gamepadState(pad([1, 0.333, 0, ...Array(16).fill(0)], [0.05, -0.5, 1.2, -0.999, 0.7]))!;
    expect(state).toEqual({ type: 'gamepad', index: 0, buttons: [1, 0.33, ...Array(15).fill(0)], axes: [0, -0.5, 1, -1] });
    expect(StreamInputSchema.safeParse(state).success).toBe(true);
    expect(gamepadState(pad([], [], 4))).toBeUndefined();
    // A digital button reported pressed with value 0 counts as 1.
    expect(gamepadState({ index: 1, buttons: [{ value: 0, pressed: true }], axes: [] })!.buttons).toEqual([1]);
  });

  it('compares states and makes the rest state', () => {
    const a = gamepadState(pad([1, 0], [0.5, 0]))!;
    expect(sameGamepadState(a, gamepadState(pad([1, 0], [0.501, 0.01]))!)).toBe(true);
    expect(sameGamepadState(a, gamepadState(pad([0, 0], [0.5, 0]))!)).toBe(false);
    const neutral = neutralGamepadState(a);
    expect(neutral).toEqual({ type: 'gamepad', index: 0, buttons: [0, 0], axes: [0, 0] });
    expect(isNeutralGamepadState(neutral)).toBe(true);
    expect(isNeutralGamepadState(a)).toBe(false);
  });
});

describe('keys and channels', () => {
  it('sends only codes the protocol accepts', () => {
    expect(['KeyA', 'ArrowLeft', 'F12', 'Unidentified'].every(isSendableKeyCode)).toBe(true);
    expect(['', 'Key A', 'x'.repeat(33)].some(isSendableKeyCode)).toBe(false);
  });

  it('routes moves and the wheel to the pointer channel, the rest to the reliable one', () => {
    expect(channelFor({ type: 'mouse-move', x: 0, y: 0 })).toBe('pointer');
    expect(channelFor({ type: 'mouse-rel', dx: 1, dy: 0 })).toBe('pointer');
    expect(channelFor({ type: 'wheel', dx: 0, dy: 1 })).toBe('pointer');
    expect(channelFor({ type: 'key', code: 'KeyA', down: true })).toBe('reliable');
    expect(channelFor({ type: 'button', button: 0, down: true })).toBe('reliable');
    expect(channelFor({ type: 'gamepad', index: 0, buttons: [], axes: [] })).toBe('reliable');
  });
});
