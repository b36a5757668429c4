/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose, see below */
// A tiny X11 app for the tests: a full-screen window filled with one colour. Each key press moves to the next colour
// of PALETTE; a click paints the quarter of the screen it hit white. With --ignore-term it ignores SIGTERM and leaves
// a child in its group and a daemonised grandchild outside it, to prove that ending a session kills them all anyway.
// CommonJS because it finds the repository's x11 through NODE_PATH, which ESM imports ignore.
const x11 = require('x11');
const { spawn } = require('node:child_process');

const PALETTE = [0xff0000, 0x00ff00, 0x0000ff, 0xffff00, 0xff00ff, 0x00ffff];
const WHITE = 0xffffff;
let colour = 0;
const painted = new Set();

if (process.argv.includes('--ignore-term')) {
  process.on('SIGTERM', () => undefined);
  spawn('sleep', ['600'], { stdio: 'ignore' });
  spawn('setsid', ['sleep', '601'], { stdio: 'ignore', detached: true }).unref();
}

x11.createClient({ disableBigRequests: true }, (error, display) => {
  if (error) {
    console.error(`color-app: ${error.message}`);
    process.exit(2);
  }
  const X = display.client;
  const screen = display.screen[0];
  const width = screen.pixel_width;
  const height = screen.pixel_height;
  const wid = X.AllocID();
  X.CreateWindow(wid, screen.root, 0, 0, width, height, 0, 0, 0, 0, {
    backgroundPixel: PALETTE[0],
    eventMask: x11.eventMask.KeyPress | x11.eventMask.ButtonPress | x11.eventMask.Exposure,
  });
  const gc = X.AllocID();
  X.CreateGC(gc, wid, { foreground: PALETTE[0] });
  X.MapWindow(wid);
  // No window manager on the session's display: take the keyboard focus ourselves.
  X.SetInputFocus(wid, 1);

  const draw = () => {
    X.ChangeGC(gc, { foreground: PALETTE[colour] });
    X.PolyFillRectangle(wid, gc, [0, 0, width, height]);
    X.ChangeGC(gc, { foreground: WHITE });
    for (const quarter of painted) {
      const qx = quarter % 2;
      const qy = Math.floor(quarter / 2);
      X.PolyFillRectangle(wid, gc, [(qx * width) / 2, (qy * height) / 2, width / 2, height / 2]);
    }
  };
  X.on('event', (event) => {
    if (process.env.COLOR_APP_DEBUG) console.error('color-app:', event.name, event.x, event.y);
    if (event.name === 'KeyPress') {
      colour = (colour + 1) % PALETTE.length;
      draw();
    } else if (event.name === 'ButtonPress') {
      painted.add((event.x < width / 2 ? 0 : 1) + (event.y < height / 2 ? 0 : 2));
      draw();
    } else if (event.name === 'Expose') {
      draw();
    }
  });
  X.on('error', (e) => console.error(`color-app: X error ${e.message}`));
  X.on('end', () => process.exit(0));
});
