/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it finds x11 through NODE_PATH */
// The input-to-photon test app: the top two thirds of the window is one colour that flips between black and white on
// every key press or click (a large change, so the frame that shows it is unmistakable), and the bottom third has a
// bar moving every frame, so the encoder always has work, as with a game.
// Usage: node flip-app.cjs [fps]
const x11 = require('x11');

const fps = Number(process.argv[2] ?? 60);
let white = false;
let bar = 0;

x11.createClient({ disableBigRequests: true }, (error, display) => {
  if (error) {
    console.error(`flip-app: ${error.message}`);
    process.exit(2);
  }
  const X = display.client;
  const screen = display.screen[0];
  const width = screen.pixel_width;
  const height = screen.pixel_height;
  const split = Math.round((height * 2) / 3);
  const wid = X.AllocID();
  X.CreateWindow(wid, screen.root, 0, 0, width, height, 0, 0, 0, 0, {
    backgroundPixel: 0,
    eventMask: x11.eventMask.KeyPress | x11.eventMask.ButtonPress | x11.eventMask.Exposure,
  });
  const gc = X.AllocID();
  X.CreateGC(gc, wid, { foreground: 0 });
  X.MapWindow(wid);
  X.SetInputFocus(wid, 1);
  const drawTop = () => {
    X.ChangeGC(gc, { foreground: white ? 0xffffff : 0x000000 });
    X.PolyFillRectangle(wid, gc, [0, 0, width, split]);
  };
  const drawBottom = () => {
    X.ChangeGC(gc, { foreground: 0x202060 });
    X.PolyFillRectangle(wid, gc, [0, split, width, height - split]);
    X.ChangeGC(gc, { foreground: 0xffa000 });
    X.PolyFillRectangle(wid, gc, [bar, split, Math.round(width / 16), height - split]);
  };
  setInterval(() => {
    bar = (bar + Math.round(width / 90)) % width;
    drawBottom();
  }, 1000 / fps);
  X.on('event', (event) => {
    if (event.name === 'KeyPress' || event.name === 'ButtonPress') {
      white = !white;
      drawTop();
    } else if (event.name === 'Expose') {
      drawTop();
      drawBottom();
    }
  });
  X.on('end', () => process.exit(0));
});
