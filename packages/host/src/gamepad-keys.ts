import { DEFAULT_GAMEPAD_KEYS, type GamepadInput, type GamepadKeyMap, type KeyInput } from '@sightline/protocol';

/** A stick counts as pushed past this (the Gamepad API reports -1..1 with some drift at rest). */
const AXIS_THRESHOLD = 0.5;
/** A button counts as pressed past this (triggers are analogue). */
const BUTTON_THRESHOLD = 0.5;

/**
 * Turns whole gamepad states into key presses and releases through the app's key map: XTest injects keys and
 * pointers only, and a virtual joystick would need /dev/uinput, which a host usually does not give its sessions.
 * Each pad's pressed keys are remembered, so only changes become key events, and a key held by two controls (the
 * d-pad and the stick) is released only when neither holds it.
 */
export class GamepadKeys {
  readonly #map: GamepadKeyMap;
  readonly #held = new Map<number, Set<string>>();

  constructor(map: GamepadKeyMap | undefined | null) {
    this.#map = map ?? DEFAULT_GAMEPAD_KEYS;
  }

  /** The key events that bring the display from the pad's previous state to this one. */
  translate(state: GamepadInput): KeyInput[] {
    const wanted = new Set<string>();
    state.buttons.forEach((value, index) => {
      const code = this.#map.buttons[String(index)];
      if (code && value > BUTTON_THRESHOLD) wanted.add(code);
    });
    state.axes.forEach((value, index) => {
      const code = value < -AXIS_THRESHOLD ? this.#map.axes[`${index}-`] : value > AXIS_THRESHOLD ? this.#map.axes[`${index}+`] : undefined;
      if (code) wanted.add(code);
    });
    const before = this.#held.get(state.index) ?? new Set<string>();
    const events: KeyInput[] = [];
    for (const code of before) if (!wanted.has(code) && !this.#heldByOtherPad(state.index, code)) events.push({ type: 'key', code, down: false });
    for (const code of wanted) if (!before.has(code) && !this.#heldByOtherPad(state.index, code)) events.push({ type: 'key', code, down: true });
    this.#held.set(state.index, wanted);
    return events;
  }

  /** Forget every pad (the player left; the injector releases the keys themselves). */
  reset(): void {
    this.#held.clear();
  }

  #heldByOtherPad(index: number, code: string): boolean {
    for (const [pad, keys] of this.#held) if (pad !== index && keys.has(code)) return true;
    return false;
  }
}
