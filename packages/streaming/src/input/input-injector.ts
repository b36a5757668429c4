import { StreamInputSchema, type StreamInput } from '@sightline/protocol';
import type { XDisplay, XTestExtension } from 'x11';
import { connectX } from '../display/x-connection.js';
import { keysymOfCode } from './keyboard-codes.js';
import { readKeyboardMap } from './keyboard-map.js';

export interface InputInjectorOptions {
  /** ":N" of the session's display. */
  display: string;
  /** That display's cookie: the injector can reach no other display. */
  cookie: Buffer;
}

export type InjectResult =
  | { ok: true }
  | { ok: false; reason: 'invalid' | 'unknown-key' | 'unsupported' | 'closed'; detail?: string };

/** MouseEvent.button → X button: left, middle, right, back, forward. */
const X_BUTTONS = [1, 2, 3, 8, 9] as const;
/** X buttons 4/5 scroll up/down, 6/7 left/right: one press and release per notch. */
const WHEEL = { up: 4, down: 5, left: 6, right: 7 } as const;

/**
 * Player input into ONE display, through the XTEST extension over one persistent X connection (no process per event).
 * Every message is validated first. Keys and buttons held when the player leaves are released by releaseAll(), so
 * nothing stays pressed in the app. The connection authenticates with the session's cookie: it cannot reach
 * another session's display.
 */
export class InputInjector {
  readonly #display: XDisplay;
  readonly #xtest: XTestExtension;
  readonly #keycodes: Map<number, number>;
  readonly #root: number;
  readonly #width: number;
  readonly #height: number;
  readonly #heldKeys = new Set<number>();
  readonly #heldButtons = new Set<number>();
  #closed = false;
  injected = 0;
  rejected = 0;

  private constructor(display: XDisplay, xtest: XTestExtension, keycodes: Map<number, number>) {
    this.#display = display;
    this.#xtest = xtest;
    this.#keycodes = keycodes;
    const screen = display.screen[0]!;
    this.#root = screen.root;
    this.#width = screen.pixel_width;
    this.#height = screen.pixel_height;
    display.client.on('end', () => (this.#closed = true));
    display.client.on('error', () => (this.#closed = true));
  }

  static async connect(options: InputInjectorOptions): Promise<InputInjector> {
    const display = await connectX({ display: options.display, cookie: options.cookie });
    try {
      const xtest = await new Promise<XTestExtension>((resolve, reject) =>
        display.client.require('xtest', (error, ext) => (error ? reject(error) : resolve(ext))),
      );
      return new InputInjector(display, xtest, await readKeyboardMap(display));
    } catch (error) {
      display.client.terminate();
      throw error;
    }
  }

  /** Validate an outside message, then inject it. */
  apply(message: unknown): InjectResult {
    const parsed = StreamInputSchema.safeParse(message);
    if (!parsed.success) {
      this.rejected++;
      return { ok: false, reason: 'invalid', detail: parsed.error.issues[0]?.message };
    }
    return this.inject(parsed.data);
  }

  inject(input: StreamInput): InjectResult {
    if (this.#closed) return { ok: false, reason: 'closed' };
    const x = this.#xtest;
    switch (input.type) {
      case 'key': {
        const keysym = keysymOfCode(input.code);
        const keycode = keysym === undefined ? undefined : this.#keycodes.get(keysym);
        if (keycode === undefined) return this.#reject('unknown-key', input.code);
        // A repeated down (browser auto-repeat) is passed on: X apps expect repeats as press events too.
        if (!input.down && !this.#heldKeys.has(keycode)) return { ok: true };
        x.FakeInput(input.down ? x.KeyPress : x.KeyRelease, keycode, 0, 0, 0, 0);
        if (input.down) this.#heldKeys.add(keycode);
        else this.#heldKeys.delete(keycode);
        break;
      }
      case 'mouse-move': {
        const px = Math.round(input.x * (this.#width - 1));
        const py = Math.round(input.y * (this.#height - 1));
        x.FakeInput(x.MotionNotify, 0, 0, this.#root, px, py);
        break;
      }
      case 'mouse-rel':
        // detail 1: relative motion; the server clamps the pointer to the screen.
        x.FakeInput(x.MotionNotify, 1, 0, 0, input.dx, input.dy);
        break;
      case 'button': {
        const button = X_BUTTONS[input.button]!;
        if (!input.down && !this.#heldButtons.has(button)) return { ok: true };
        x.FakeInput(input.down ? x.ButtonPress : x.ButtonRelease, button, 0, 0, 0, 0);
        if (input.down) this.#heldButtons.add(button);
        else this.#heldButtons.delete(button);
        break;
      }
      case 'wheel':
        this.#scroll(input.dy > 0 ? WHEEL.down : WHEEL.up, Math.abs(input.dy));
        this.#scroll(input.dx > 0 ? WHEEL.right : WHEEL.left, Math.abs(input.dx));
        break;
      case 'gamepad':
        // Needs a virtual joystick (uinput) that the app sees as a device; not available here (see README).
        return this.#reject('unsupported', 'gamepad input is not supported yet');
    }
    this.injected++;
    return { ok: true };
  }

  /** Let go of every key and button the player still holds (they left, or the session ends). */
  releaseAll(): void {
    if (this.#closed) return;
    const x = this.#xtest;
    for (const keycode of this.#heldKeys) x.FakeInput(x.KeyRelease, keycode, 0, 0, 0, 0);
    for (const button of this.#heldButtons) x.FakeInput(x.ButtonRelease, button, 0, 0, 0, 0);
    this.#heldKeys.clear();
    this.#heldButtons.clear();
  }

  /** A round trip to the X server: once it answers, everything injected before has been processed. */
  sync(): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new Error('input connection closed'));
      const startedAt = performance.now();
      this.#display.client.ping((error) => (error ? reject(error) : resolve(performance.now() - startedAt)));
    });
  }

  close(): void {
    if (this.#closed) return;
    this.releaseAll();
    this.#closed = true;
    this.#display.client.terminate();
  }

  #scroll(button: number, notches: number): void {
    for (let i = 0; i < notches; i++) {
      this.#xtest.FakeInput(this.#xtest.ButtonPress, button, 0, 0, 0, 0);
      this.#xtest.FakeInput(this.#xtest.ButtonRelease, button, 0, 0, 0, 0);
    }
  }

  #reject(reason: 'unknown-key' | 'unsupported', detail: string): InjectResult {
    this.rejected++;
    return { ok: false, reason, detail };
  }
}
