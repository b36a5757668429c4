import type { GamepadInput } from '@sightline/protocol';
import { gamepadState, isNeutralGamepadState, neutralGamepadState, sameGamepadState } from './input-mapping.js';

/** A connected pad, for the page to show ("gamepad detected"). */
export interface GamepadInfo {
  index: number;
  /** What the browser calls it, e.g. "Xbox 360 Controller (XInput STANDARD GAMEPAD)". */
  id: string;
  /** Whether it has the standard layout the host's key map is written for. */
  standard: boolean;
}

export interface GamepadPollerOptions {
  /** Each changed state (the whole state of one pad). */
  send: (state: GamepadInput) => void;
  /** The connected pads, on every connection and disconnection. */
  onChange: (pads: GamepadInfo[]) => void;
}

/**
 * Watches the Gamepad API: pads are found by `gamepadconnected` (browsers expose a pad only after a button press on
 * it) and by looking at start; while any is connected, they are read once per animation frame and a pad's whole state
 * is sent when it changed. A disconnected pad, and every pad when input stops (stop(), release()), is sent at rest
 * once if it was not, so the app is never left with a button held.
 */
export class GamepadPoller {
  private readonly last = new Map<number, GamepadInput>();
  private pads: GamepadInfo[] = [];
  private frame: number | undefined;
  private running = false;
  private readonly onConnected = () => this.refresh();
  private readonly onDisconnected = (event: Event) => {
    const index = (event as GamepadEvent).gamepad?.index;
    if (typeof index === 'number') this.rest(index);
    this.refresh();
  };

  constructor(private readonly options: GamepadPollerOptions) {}

  get connected(): GamepadInfo[] {
    return this.pads;
  }

  start(): void {
    if (this.running || typeof navigator === 'undefined' || typeof navigator.getGamepads !== 'function') return;
    this.running = true;
    globalThis.addEventListener('gamepadconnected', this.onConnected);
    globalThis.addEventListener('gamepaddisconnected', this.onDisconnected);
    this.refresh();
  }

  /** Sends every pad that is not at rest as at rest (input lost focus); polling goes on and sends it again on change. */
  release(): void {
    for (const index of [...this.last.keys()]) this.rest(index);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    globalThis.removeEventListener('gamepadconnected', this.onConnected);
    globalThis.removeEventListener('gamepaddisconnected', this.onDisconnected);
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.release();
    this.last.clear();
    this.pads = [];
  }

  private read(): (Gamepad | null)[] {
    try {
      return [...navigator.getGamepads()];
    } catch {
      // A page without the "gamepad" permission policy throws.
      return [];
    }
  }

  private refresh(): void {
    if (!this.running) return;
    const pads = this.read()
      .filter((pad): pad is Gamepad => pad !== null && pad.connected !== false)
      .map((pad) => ({ index: pad.index, id: pad.id, standard: pad.mapping === 'standard' }));
    const changed = pads.length !== this.pads.length || pads.some((pad, i) => pad.index !== this.pads[i]?.index || pad.id !== this.pads[i]?.id);
    this.pads = pads;
    if (changed) this.options.onChange(pads);
    if (pads.length > 0 && this.frame === undefined) this.frame = requestAnimationFrame(this.poll);
  }

  private readonly poll = () => {
    this.frame = undefined;
    if (!this.running) return;
    const seen = new Set<number>();
    for (const pad of this.read()) {
      if (!pad || pad.connected === false) continue;
      seen.add(pad.index);
      const state = gamepadState(pad);
      if (!state || sameGamepadState(state, this.last.get(pad.index))) continue;
      // A pad seen for the first time at rest has nothing to say yet.
      if (!this.last.has(pad.index) && isNeutralGamepadState(state)) {
        this.last.set(pad.index, state);
        continue;
      }
      this.last.set(pad.index, state);
      this.options.send(state);
    }
    for (const index of [...this.last.keys()]) if (!seen.has(index)) this.rest(index);
    if (seen.size > 0) this.frame = requestAnimationFrame(this.poll);
    if (seen.size !== this.pads.length) this.refresh();
  };

  private rest(index: number): void {
    const previous = this.last.get(index);
    if (!previous) return;
    if (!isNeutralGamepadState(previous)) {
      const neutral = neutralGamepadState(previous);
      this.last.set(index, neutral);
      this.options.send(neutral);
    }
  }
}
