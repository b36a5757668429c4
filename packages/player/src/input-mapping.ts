import type { GamepadInput } from '@sightline/protocol';
import { fittedVideoRect, type ObjectFit, type Rect, type Size } from './video-fit.js';

/**
 * The pure parts of the cloud player's input: where a pointer lies in the picture, wheel notches, relative motion
 * and gamepad states, each bounded as the protocol's StreamInputSchema requires (stream-input.ts).
 */

/** KeyboardEvent.code values the protocol accepts ("KeyA", "ArrowLeft"); others (empty, odd characters) are not sent. */
export const isSendableKeyCode = (code: string): boolean => /^[A-Za-z0-9]{1,32}$/.test(code);

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/**
 * A pointer position relative to the displayed picture, 0..1 from its left/top edge, clamped: positions in the
 * letterbox bars or outside the element land on the nearest edge. `content` is the element's content box and
 * `point` is in the same coordinates (e.g. both client pixels). Before the picture's size is known (no video yet)
 * the whole content box counts as the picture.
 */
export function pictureNormalized(point: { x: number; y: number }, content: Rect, picture: Size, fit: ObjectFit = 'contain'): { x: number; y: number } {
  const fitted = fittedVideoRect({ width: content.width, height: content.height }, picture, fit);
  const rect = fitted.width > 0 && fitted.height > 0 ? { ...fitted, x: content.x + fitted.x, y: content.y + fitted.y } : content;
  if (!(rect.width > 0 && rect.height > 0)) return { x: 0, y: 0 };
  return { x: clamp((point.x - rect.x) / rect.width, 0, 1), y: clamp((point.y - rect.y) / rect.height, 0, 1) };
}

/** Pixels of WheelEvent.deltaY that make one notch in DOM_DELTA_PIXEL mode (Chrome and Edge give 100 per notch). */
export const WHEEL_PIXELS_PER_NOTCH = 100;
/** Lines per notch in DOM_DELTA_LINE mode (Firefox gives 3 per notch). */
export const WHEEL_LINES_PER_NOTCH = 3;
/** The schema's bound for one wheel message. */
export const MAX_WHEEL_NOTCHES = 20;
/** The schema's bound for one relative move. */
export const MAX_RELATIVE_DELTA = 4096;

/**
 * Turns wheel deltas into whole notches. Touchpads send many small pixel deltas: they are summed, and the remainder
 * below a notch is kept for the next event (and forgotten after `idleResetMs` without wheel events, so that a
 * leftover fraction never turns into a surprise notch much later). At most `MAX_WHEEL_NOTCHES` leave per take();
 * the rest waits for the next one, up to twice that (beyond, it is dropped: nobody means 40 notches in a frame).
 */
export class WheelAccumulator {
  private x = 0;
  private y = 0;
  private lastAt = -Infinity;

  constructor(private readonly idleResetMs = 1000) {}

  /** Adds one WheelEvent's deltas (`deltaMode`: 0 pixels, 1 lines, 2 pages). */
  add(deltaX: number, deltaY: number, deltaMode: number, now: number): void {
    if (now - this.lastAt > this.idleResetMs) this.x = this.y = 0;
    this.lastAt = now;
    const perNotch = deltaMode === 1 ? WHEEL_LINES_PER_NOTCH : deltaMode === 2 ? 1 : WHEEL_PIXELS_PER_NOTCH;
    const limit = 2 * MAX_WHEEL_NOTCHES;
    if (Number.isFinite(deltaX)) this.x = clamp(this.x + deltaX / perNotch, -limit, limit);
    if (Number.isFinite(deltaY)) this.y = clamp(this.y + deltaY / perNotch, -limit, limit);
  }

  /** The whole notches gathered so far (each within ±20), or undefined when there is not a whole one yet. */
  take(): { dx: number; dy: number } | undefined {
    const dx = clamp(Math.trunc(this.x), -MAX_WHEEL_NOTCHES, MAX_WHEEL_NOTCHES);
    const dy = clamp(Math.trunc(this.y), -MAX_WHEEL_NOTCHES, MAX_WHEEL_NOTCHES);
    if (dx === 0 && dy === 0) return undefined;
    this.x -= dx;
    this.y -= dy;
    return { dx, dy };
  }

  reset(): void {
    this.x = this.y = 0;
  }
}

/**
 * Sums pointer-lock motion (MouseEvent.movementX/Y, which can be fractional on high-density screens) into whole
 * pixels; the fraction carries over. take() gives at most ±4096 per axis; more (a jump no mouse makes in one frame)
 * is dropped rather than sent as a second message.
 */
export class RelativeMotion {
  private dx = 0;
  private dy = 0;

  add(movementX: number, movementY: number): void {
    if (Number.isFinite(movementX)) this.dx += movementX;
    if (Number.isFinite(movementY)) this.dy += movementY;
  }

  take(): { dx: number; dy: number } | undefined {
    const dx = Math.trunc(this.dx);
    const dy = Math.trunc(this.dy);
    if (dx === 0 && dy === 0) return undefined;
    this.dx -= dx;
    this.dy -= dy;
    return { dx: clamp(dx, -MAX_RELATIVE_DELTA, MAX_RELATIVE_DELTA), dy: clamp(dy, -MAX_RELATIVE_DELTA, MAX_RELATIVE_DELTA) };
  }

  reset(): void {
    this.dx = this.dy = 0;
  }
}

/** What the Gamepad API gives for one pad, reduced to what the state needs (so it is testable without a browser). */
export interface GamepadReading {
  index: number;
  buttons: readonly { value: number; pressed: boolean }[];
  axes: readonly number[];
}

/** Stick positions below this are noise of a stick at rest: sent as 0. */
export const GAMEPAD_DEADZONE = 0.08;

const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * The protocol message for one pad: the 17 standard buttons (value 0..1; a pressed digital button is 1) and 4 axes
 * (-1..1), rounded to hundredths so that sensor noise does not make every frame a "change", with a deadzone on the
 * sticks. Pads beyond index 3 have no place in the protocol: undefined.
 */
export function gamepadState(pad: GamepadReading): GamepadInput | undefined {
  if (!Number.isInteger(pad.index) || pad.index < 0 || pad.index > 3) return undefined;
  const buttons = pad.buttons.slice(0, 17).map((button) => {
    const value = Number.isFinite(button.value) ? clamp(button.value, 0, 1) : 0;
    return round2(button.pressed && value === 0 ? 1 : value);
  });
  const axes = pad.axes.slice(0, 4).map((axis) => {
    const value = Number.isFinite(axis) ? clamp(axis, -1, 1) : 0;
    return Math.abs(value) < GAMEPAD_DEADZONE ? 0 : round2(value);
  });
  return { type: 'gamepad', index: pad.index, buttons, axes };
}

/** The state of a pad at rest (what is sent when it disconnects, or when input stops while it was in use). */
export function neutralGamepadState(previous: GamepadInput): GamepadInput {
  return { type: 'gamepad', index: previous.index, buttons: previous.buttons.map(() => 0), axes: previous.axes.map(() => 0) };
}

export function sameGamepadState(a: GamepadInput | undefined, b: GamepadInput | undefined): boolean {
  if (!a || !b) return a === b;
  return a.index === b.index && a.buttons.length === b.buttons.length && a.axes.length === b.axes.length && a.buttons.every((v, i) => v === b.buttons[i]) && a.axes.every((v, i) => v === b.axes[i]);
}

export function isNeutralGamepadState(state: GamepadInput): boolean {
  return state.buttons.every((v) => v === 0) && state.axes.every((v) => v === 0);
}
