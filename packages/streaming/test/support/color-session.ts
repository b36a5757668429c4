import { fileURLToPath } from 'node:url';
import { StreamSession, type StreamSessionOptions } from '../../src/index.js';

export const COLOR_APP = fileURLToPath(new URL('./color-app.cjs', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

/** A session running the colour test app (see color-app.cjs), small and cheap: 320×180 at 30 fps. */
export function colorSession(overrides: Partial<StreamSessionOptions> & { appArgs?: string[] } = {}): StreamSession {
  const { appArgs = [], ...options } = overrides;
  return new StreamSession({
    app: { command: process.execPath, args: [COLOR_APP, ...appArgs], env: { NODE_PATH: NODE_MODULES } },
    width: 320,
    height: 180,
    fps: 30,
    bitrateKbps: 1000,
    // The X pointer would sit in the middle of the picture, where the tests read colours.
    drawCursor: false,
    ...options,
  });
}

export type ColourName = 'red' | 'green' | 'blue' | 'yellow' | 'white' | 'other';

/** Colours as the decoder gives them back (not exact: 4:2:0 and range conversions), by their strong channels. */
export function colourName([r, g, b]: [number, number, number]): ColourName {
  const hi = (v: number) => v > 120;
  const lo = (v: number) => v < 70;
  if (hi(r) && hi(g) && hi(b)) return 'white';
  if (hi(r) && lo(g) && lo(b)) return 'red';
  if (lo(r) && hi(g) && lo(b)) return 'green';
  if (lo(r) && lo(g) && hi(b)) return 'blue';
  if (hi(r) && hi(g) && lo(b)) return 'yellow';
  return 'other';
}
