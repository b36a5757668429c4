import type { XDisplay } from 'x11';

/** keysym → the keycode that produces it with the fewest modifiers, read from the display's keyboard mapping. */
export async function readKeyboardMap(display: XDisplay): Promise<Map<number, number>> {
  const first = display.min_keycode;
  const count = display.max_keycode - first + 1;
  const rows = await new Promise<number[][]>((resolve, reject) =>
    display.client.GetKeyboardMapping(first, count, (error, result) => (error ? reject(error) : resolve(result))),
  );
  const byKeysym = new Map<number, { keycode: number; column: number }>();
  rows.forEach((keysyms, index) => {
    keysyms.forEach((keysym, column) => {
      if (keysym === 0) return;
      const known = byKeysym.get(keysym);
      if (!known || column < known.column) byKeysym.set(keysym, { keycode: first + index, column });
    });
  });
  return new Map([...byKeysym].map(([keysym, { keycode }]) => [keysym, keycode]));
}
