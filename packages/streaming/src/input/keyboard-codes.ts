/**
 * KeyboardEvent.code (a physical key position) → the X keysym that key produces unshifted on a US layout. The player
 * sends positions, not characters, so a game's WASD stays under the player's fingers whatever their layout; the keysym
 * is then looked up in the display's own keyboard mapping (GetKeyboardMapping) to find the keycode to press.
 */
const NAMED: Record<string, number> = {
  Escape: 0xff1b, Tab: 0xff09, CapsLock: 0xffe5, Enter: 0xff0d, Backspace: 0xff08, Space: 0x20,
  ShiftLeft: 0xffe1, ShiftRight: 0xffe2, ControlLeft: 0xffe3, ControlRight: 0xffe4,
  AltLeft: 0xffe9, AltRight: 0xffea, MetaLeft: 0xffeb, MetaRight: 0xffec, ContextMenu: 0xff67,
  ArrowLeft: 0xff51, ArrowUp: 0xff52, ArrowRight: 0xff53, ArrowDown: 0xff54,
  Insert: 0xff63, Delete: 0xffff, Home: 0xff50, End: 0xff57, PageUp: 0xff55, PageDown: 0xff56,
  PrintScreen: 0xff61, ScrollLock: 0xff14, Pause: 0xff13, NumLock: 0xff7f,
  Backquote: 0x60, Minus: 0x2d, Equal: 0x3d, BracketLeft: 0x5b, BracketRight: 0x5d, Backslash: 0x5c,
  Semicolon: 0x3b, Quote: 0x27, Comma: 0x2c, Period: 0x2e, Slash: 0x2f, IntlBackslash: 0x3c,
  NumpadDivide: 0xffaf, NumpadMultiply: 0xffaa, NumpadSubtract: 0xffad, NumpadAdd: 0xffab, NumpadEnter: 0xff8d,
  NumpadDecimal: 0xff9f, NumpadEqual: 0xffbd,
};

export function keysymOfCode(code: string): number | undefined {
  const named = NAMED[code];
  if (named !== undefined) return named;
  let match = /^Key([A-Z])$/.exec(code);
  if (match) return match[1]!.toLowerCase().charCodeAt(0);
  match = /^Digit([0-9])$/.exec(code);
  if (match) return match[1]!.charCodeAt(0);
  match = /^Numpad([0-9])$/.exec(code);
  if (match) return 0xffb0 + Number(match[1]);
  match = /^F([1-9]|1[0-9]|2[0-4])$/.exec(code);
  if (match) return 0xffbe + Number(match[1]) - 1;
  return undefined;
}
