import { describe, expect, it } from 'vitest';
import { StreamInputSchema, type GamepadInput } from '@sightline/protocol';
import { GamepadKeys } from '../src/gamepad-keys.js';

const pad = (buttons: number[], axes: number[] = [0, 0, 0, 0], index = 0): GamepadInput => ({ type: 'gamepad', index, buttons, axes });

describe('gamepad states become key presses (XTest has no joystick)', () => {
  it('presses and releases only on changes, through the default map', () => {
    const keys = new GamepadKeys(undefined);
    expect(keys.translate(pad([1]))).toEqual([{ type: 'key', code: 'Space', down: true }]);
    expect(keys.translate(pad([1]))).toEqual([]); // held: nothing new
    expect(keys.translate(pad([0]))).toEqual([{ type: 'key', code: 'Space', down: false }]);
    for (const event of keys.translate(pad([0], [-0.9, 0.8]))) expect(StreamInputSchema.safeParse(event).success).toBe(true);
  });

  it('maps stick directions past a dead zone, and a key held by two controls is released when neither holds it', () => {
    const keys = new GamepadKeys(undefined);
    expect(keys.translate(pad([], [0.3, 0]))).toEqual([]); // inside the dead zone
    expect(keys.translate(pad([], [-0.9, 0]))).toEqual([{ type: 'key', code: 'ArrowLeft', down: true }]);
    // The d-pad left (button 14) as well: the key is already down.
    const dpad = Array.from({ length: 17 }, (_, i) => (i === 14 ? 1 : 0));
    expect(keys.translate(pad(dpad, [-0.9, 0]))).toEqual([]);
    expect(keys.translate(pad(dpad, [0, 0]))).toEqual([]); // the d-pad still holds it
    expect(keys.translate(pad([], [0, 0]))).toEqual([{ type: 'key', code: 'ArrowLeft', down: false }]);
  });

  it("uses the app's own map, and two pads on one key release it only when both let go", () => {
    const keys = new GamepadKeys({ buttons: { '0': 'KeyJ' }, axes: {} });
    expect(keys.translate(pad([1], undefined, 0))).toEqual([{ type: 'key', code: 'KeyJ', down: true }]);
    expect(keys.translate(pad([1], undefined, 1))).toEqual([]);
    expect(keys.translate(pad([0], undefined, 0))).toEqual([]);
    expect(keys.translate(pad([0], undefined, 1))).toEqual([{ type: 'key', code: 'KeyJ', down: false }]);
  });
});
