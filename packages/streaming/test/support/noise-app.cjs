/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it finds x11 through NODE_PATH */
// A busy X11 app for the encoder tests: a full-screen window redrawn FPS times a second.
//   noise: every frame new random grey blocks of BLOCK×BLOCK pixels all over the window (hard to compress, as busy
//          as a picture gets; BLOCK 1 is per-pixel noise);
//   boxes: a few random coloured rectangles per frame over a moving bar (something like a game's motion).
// Usage: node noise-app.cjs [noise|boxes] [fps] [block]
const x11 = require('x11');
const { randomBytes, randomInt } = require('node:crypto');

const mode = process.argv[2] ?? 'noise';
const fps = Number(process.argv[3] ?? 30);
const block = Number(process.argv[4] ?? 4);

x11.createClient({ disableBigRequests: true }, (error, display) => {
  if (error) {
    console.error(`noise-app: ${error.message}`);
    process.exit(2);
  }
  const X = display.client;
  const screen = display.screen[0];
  const width = screen.pixel_width;
  const height = screen.pixel_height;
  const wid = X.AllocID();
  X.CreateWindow(wid, screen.root, 0, 0, width, height, 0, 0, 0, 0, { backgroundPixel: 0x202020 });
  const gc = X.AllocID();
  X.CreateGC(gc, wid, { foreground: 0xffffff });
  X.MapWindow(wid);

  // ZPixmap, 32 bits per pixel at depth 24; without BIG-REQUESTS a request is at most 256 KiB, so strips of rows.
  const rowsPerStrip = Math.max(1, Math.floor(200_000 / (width * 4)));
  const strip = Buffer.alloc(width * 4 * rowsPerStrip);
  const noise = () => {
    for (let y0 = 0; y0 < height; y0 += rowsPerStrip) {
      const rows = Math.min(rowsPerStrip, height - y0);
      const cols = Math.ceil(width / block);
      const lines = Math.ceil(rows / block);
      const values = randomBytes(cols * lines);
      for (let y = 0; y < rows; y++) {
        const line = Math.floor(y / block);
        for (let x = 0; x < width; x++) {
          const v = values[line * cols + Math.floor(x / block)];
          const o = (y * width + x) * 4;
          strip[o] = v;
          strip[o + 1] = v;
          strip[o + 2] = v;
        }
      }
      X.PutImage(2, wid, gc, width, rows, 0, y0, 0, 24, strip.subarray(0, width * 4 * rows));
    }
  };
  let frame = 0;
  const boxes = () => {
    const bar = Math.floor(((frame * 8) % (width + 80)) - 80);
    X.ChangeGC(gc, { foreground: 0x202020 });
    X.PolyFillRectangle(wid, gc, [0, 0, width, height]);
    X.ChangeGC(gc, { foreground: 0xe0e0e0 });
    X.PolyFillRectangle(wid, gc, [bar, 0, 80, height]);
    for (let i = 0; i < 12; i++) {
      X.ChangeGC(gc, { foreground: randomInt(0, 0xffffff) });
      const w = randomInt(8, Math.max(9, width >> 3));
      const h = randomInt(8, Math.max(9, height >> 3));
      X.PolyFillRectangle(wid, gc, [randomInt(0, width - w), randomInt(0, height - h), w, h]);
    }
  };
  setInterval(() => {
    frame++;
    if (mode === 'boxes') boxes();
    else noise();
  }, 1000 / fps);
  X.on('error', (e) => console.error(`noise-app: X error ${e.message}`));
  X.on('end', () => process.exit(0));
});
