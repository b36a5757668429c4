import type { StreamInput } from '@sightline/protocol';
import { RelativeMotion, WheelAccumulator, isSendableKeyCode, pictureNormalized } from './input-mapping.js';
import { objectFitOf } from './video-fit.js';

export interface InputCaptureOptions {
  /** Takes the keyboard and the mouse: focusable (a tabindex is added when it has none). */
  element: HTMLElement;
  /** The picture: mouse positions are normalized to where it is drawn inside this element (object-fit). */
  video: HTMLVideoElement;
  /** Every input message, in the order it happened (the caller routes it to its channel). */
  send: (input: StreamInput) => void;
  /** KeyboardEvent.code values the page keeps for itself: neither sent nor prevented (e.g. `F2` for a HUD toggle). */
  reservedKeys?: readonly string[];
  /** Asked on every mouse press: whether to take pointer lock (the session's input profile is `pointer-lock`). */
  lockOnClick?: () => boolean;
  /** Pointer lock was taken or left (by us, by Escape, by the browser). */
  onPointerLock?: (locked: boolean) => void;
}

/**
 * Captures a player's keyboard and mouse on one element and turns them into protocol messages:
 *
 * - keys by `KeyboardEvent.code` (the physical key, whatever the layout), with the browser's default action
 *   prevented (no scrolling, no find-in-page); a held key is sent down once, not on every auto-repeat; every held key
 *   and button is released when the element loses focus or the page is hidden, so the app never sees a stuck key;
 * - mouse positions normalized to the picture (letterbox bars excluded, clamped), at most one per animation frame;
 *   under pointer lock, relative motion (movementX/Y) instead, summed per frame;
 * - buttons 0-4 (the context menu and back/forward navigation are prevented) and wheel notches.
 */
export class InputCapture {
  private readonly heldKeys = new Set<string>();
  private readonly heldButtons = new Set<number>();
  private readonly wheel = new WheelAccumulator();
  private readonly relative = new RelativeMotion();
  private readonly reserved: ReadonlySet<string>;
  private pendingPointer: { clientX: number; clientY: number } | undefined;
  private lastPointer: { x: number; y: number } | undefined;
  private frame: number | undefined;
  private active = false;
  private locked = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly options: InputCaptureOptions) {
    this.reserved = new Set(options.reservedKeys ?? []);
  }

  /** Whether the pointer is locked to the element (moves are relative). */
  get pointerLocked(): boolean {
    return this.locked;
  }

  /** The keys held now, by code (for tests and debugging). */
  get keysHeld(): string[] {
    return [...this.heldKeys];
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    const { element } = this.options;
    if (!element.hasAttribute('tabindex')) element.tabIndex = 0;
    const doc = element.ownerDocument;
    const win = doc.defaultView ?? globalThis;
    this.listen(element, 'keydown', (e) => this.keyDown(e as KeyboardEvent));
    this.listen(element, 'keyup', (e) => this.keyUp(e as KeyboardEvent));
    this.listen(element, 'mousedown', (e) => this.mouseDown(e as MouseEvent));
    // On the window: a button pressed on the element and released beyond it must still be released.
    this.listen(win, 'mouseup', (e) => this.mouseUp(e as MouseEvent));
    this.listen(element, 'mousemove', (e) => this.mouseMove(e as MouseEvent));
    this.listen(element, 'wheel', (e) => this.wheelMoved(e as WheelEvent), { passive: false });
    this.listen(element, 'contextmenu', (e) => e.preventDefault());
    // Back and forward buttons navigate on their release unless prevented.
    this.listen(element, 'auxclick', (e) => e.preventDefault());
    this.listen(element, 'blur', () => this.releaseAll());
    this.listen(win, 'blur', () => this.releaseAll());
    this.listen(doc, 'visibilitychange', () => {
      if (doc.visibilityState === 'hidden') this.releaseAll();
    });
    this.listen(doc, 'pointerlockchange', () => this.lockChanged());
    this.lockChanged();
  }

  stop(): void {
    if (!this.active) return;
    this.releaseAll();
    this.active = false;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    if (this.locked) this.exitPointerLock();
  }

  /** Sends a release for every key and button held, and forgets motion not yet sent. */
  releaseAll(): void {
    this.pendingPointer = undefined;
    this.wheel.reset();
    this.relative.reset();
    for (const code of [...this.heldKeys]) this.options.send({ type: 'key', code, down: false });
    for (const button of [...this.heldButtons]) this.options.send({ type: 'button', button, down: false });
    this.heldKeys.clear();
    this.heldButtons.clear();
  }

  /**
   * Forgets what is held without sending releases: the connection was lost, and the host let go of everything
   * itself (the hub tells it to); a key still held is sent again on its next press.
   */
  forgetHeld(): void {
    this.heldKeys.clear();
    this.heldButtons.clear();
    this.pendingPointer = undefined;
    this.lastPointer = undefined;
    this.wheel.reset();
    this.relative.reset();
  }

  /** Locks the pointer to the element (needs a user gesture: call it from a click or key handler). */
  async requestPointerLock(): Promise<void> {
    const { element } = this.options;
    try {
      // Raw mouse motion (no acceleration) where the browser has it, as games expect.
      await element.requestPointerLock({ unadjustedMovement: true });
    } catch {
      await Promise.resolve(element.requestPointerLock()).catch(() => undefined);
    }
  }

  exitPointerLock(): void {
    const doc = this.options.element.ownerDocument;
    if (doc.pointerLockElement === this.options.element) doc.exitPointerLock();
  }

  private listen(target: EventTarget, type: string, handler: (event: Event) => void, options?: AddEventListenerOptions): void {
    target.addEventListener(type, handler, options);
    this.cleanups.push(() => target.removeEventListener(type, handler, options));
  }

  private keyDown(event: KeyboardEvent): void {
    if (this.reserved.has(event.code) || event.isComposing) return;
    event.preventDefault();
    if (event.repeat || this.heldKeys.has(event.code) || !isSendableKeyCode(event.code)) return;
    this.heldKeys.add(event.code);
    this.options.send({ type: 'key', code: event.code, down: true });
  }

  private keyUp(event: KeyboardEvent): void {
    if (this.reserved.has(event.code)) return;
    event.preventDefault();
    if (!this.heldKeys.delete(event.code)) return;
    this.options.send({ type: 'key', code: event.code, down: false });
  }

  private mouseDown(event: MouseEvent): void {
    const { element } = this.options;
    // No text selection, no middle-button autoscroll; focus is given by hand since the default is prevented.
    event.preventDefault();
    if (element.ownerDocument.activeElement !== element) element.focus({ preventScroll: true });
    if (!this.locked && this.options.lockOnClick?.()) void this.requestPointerLock();
    if (event.button < 0 || event.button > 4 || this.heldButtons.has(event.button)) return;
    // Where the click happened goes first.
    if (!this.locked) this.pendingPointer = { clientX: event.clientX, clientY: event.clientY };
    this.flush();
    this.heldButtons.add(event.button);
    this.options.send({ type: 'button', button: event.button, down: true });
  }

  private mouseUp(event: MouseEvent): void {
    if (!this.heldButtons.delete(event.button)) return;
    if (event.target === this.options.element) event.preventDefault();
    this.flush();
    this.options.send({ type: 'button', button: event.button, down: false });
  }

  private mouseMove(event: MouseEvent): void {
    if (this.locked) this.relative.add(event.movementX, event.movementY);
    else this.pendingPointer = { clientX: event.clientX, clientY: event.clientY };
    this.schedule();
  }

  private wheelMoved(event: WheelEvent): void {
    event.preventDefault();
    this.wheel.add(event.deltaX, event.deltaY, event.deltaMode, event.timeStamp);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame === undefined) this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Sends the motion gathered since the last frame: one move (absolute or relative) and one wheel message at most. */
  private flush(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    if (this.pendingPointer) {
      const position = this.normalize(this.pendingPointer);
      this.pendingPointer = undefined;
      if (!this.lastPointer || position.x !== this.lastPointer.x || position.y !== this.lastPointer.y) {
        this.lastPointer = position;
        this.options.send({ type: 'mouse-move', x: position.x, y: position.y });
      }
    }
    const motion = this.relative.take();
    if (motion) this.options.send({ type: 'mouse-rel', dx: motion.dx, dy: motion.dy });
    const notches = this.wheel.take();
    if (notches) this.options.send({ type: 'wheel', dx: notches.dx, dy: notches.dy });
  }

  /** The pointer in the picture: the video's content box (inside border and padding), then object-fit. */
  private normalize(point: { clientX: number; clientY: number }): { x: number; y: number } {
    const { video } = this.options;
    const box = video.getBoundingClientRect();
    const style = getComputedStyle(video);
    const padLeft = parseFloat(style.paddingLeft) || 0;
    const padTop = parseFloat(style.paddingTop) || 0;
    const content = {
      x: box.left + video.clientLeft + padLeft,
      y: box.top + video.clientTop + padTop,
      width: Math.max(0, video.clientWidth - padLeft - (parseFloat(style.paddingRight) || 0)),
      height: Math.max(0, video.clientHeight - padTop - (parseFloat(style.paddingBottom) || 0)),
    };
    const picture = { width: video.videoWidth, height: video.videoHeight };
    return pictureNormalized({ x: point.clientX, y: point.clientY }, content, picture, objectFitOf(style.objectFit));
  }

  private lockChanged(): void {
    const locked = this.options.element.ownerDocument.pointerLockElement === this.options.element;
    if (locked === this.locked) return;
    this.locked = locked;
    this.relative.reset();
    this.pendingPointer = undefined;
    this.lastPointer = undefined;
    this.options.onPointerLock?.(locked);
  }
}
