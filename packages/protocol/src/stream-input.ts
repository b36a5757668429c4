import { z } from 'zod';

/**
 * What a cloud-streaming player sends to the host about its keyboard, mouse and gamepad, one message per event, over
 * a WebRTC data channel (keys and buttons on a reliable ordered channel; mouse moves on an unordered one with a short
 * lifetime). The host validates every message with this schema before it reaches the session's display.
 */

/** A KeyboardEvent.code ("KeyA", "ArrowLeft", "ShiftLeft"): the physical key, independent of the player's layout. */
const KeyCodeSchema = z.string().regex(/^[A-Za-z0-9]{1,32}$/);

/** A position in the picture, 0..1 from the left/top edge: the player's video element may have any size. */
const Normalized = z.number().min(0).max(1);

/** Relative motion in display pixels (pointer lock); bounded so that one message cannot throw the pointer far away. */
const Delta = z.number().int().min(-4096).max(4096);

export const KeyInputSchema = z.object({ type: z.literal('key'), code: KeyCodeSchema, down: z.boolean() });

export const MouseMoveInputSchema = z.object({ type: z.literal('mouse-move'), x: Normalized, y: Normalized });

export const MouseRelativeInputSchema = z.object({ type: z.literal('mouse-rel'), dx: Delta, dy: Delta });

/** MouseEvent.button numbering: 0 main (left), 1 auxiliary (middle), 2 secondary (right), 3 back, 4 forward. */
export const MouseButtonInputSchema = z.object({ type: z.literal('button'), button: z.number().int().min(0).max(4), down: z.boolean() });

/** Wheel steps (notches), signed: positive dy scrolls down, positive dx scrolls right. */
export const WheelInputSchema = z.object({
  type: z.literal('wheel'),
  dx: z.number().int().min(-20).max(20),
  dy: z.number().int().min(-20).max(20),
});

/** The state of one standard-mapping gamepad (the Gamepad API), sent whole when it changes. */
export const GamepadInputSchema = z.object({
  type: z.literal('gamepad'),
  index: z.number().int().min(0).max(3),
  buttons: z.array(z.number().min(0).max(1)).max(17),
  axes: z.array(z.number().min(-1).max(1)).max(4),
});

export const StreamInputSchema = z.discriminatedUnion('type', [
  KeyInputSchema,
  MouseMoveInputSchema,
  MouseRelativeInputSchema,
  MouseButtonInputSchema,
  WheelInputSchema,
  GamepadInputSchema,
]);
export type StreamInput = z.infer<typeof StreamInputSchema>;
export type KeyInput = z.infer<typeof KeyInputSchema>;
export type GamepadInput = z.infer<typeof GamepadInputSchema>;
