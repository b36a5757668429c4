/**
 * The page the browser test loads: it imports the player's compiled module from /player/index.js as a console page
 * would (no bundler), and offers helpers to the test:
 *
 * - `startPlayer(options)`: a LivePlayer for camera `cam-player` on this origin in a 640×480 <video> (a 640×360
 *   stream is letterboxed into it: the picture lies at y = 60), with tokens `token-1`, `token-2`, ...;
 * - every presented frame is recorded in `window.presented` with what the renderer reported and what the canvas
 *   holds: the pixel at the middle of the first box's bottom edge and at the box's centre, and whether the edge has
 *   the box's colour. The expected position is computed here from the known layout, not with the player's geometry.
 * - `sceneCheck()`: pixels inside the zone and on the line; `canvasIsEmpty()`.
 */
export const PLAYER_TEST_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Sightline player test</title>
<style>
  body { margin: 0; }
  #stage { position: relative; margin: 13px 0 0 7px; }
  video { display: block; width: 640px; height: 480px; background: #222; object-fit: contain; }
</style></head>
<body>
<div id="stage"><video id="video"></video></div>
<script type="module">
import * as sightline from '/player/index.js';
window.sightline = sightline;
window.presented = [];
window.states = [];
window.sceneEvents = [];
window.tokensIssued = 0;

// The stream is 640x360 in a 640x480 element (object-fit: contain): the picture is at y = 60, scale 1. Overlay
// frames are 1280x720 (analysis at another size than the stream): source pixels are halved.
const PICTURE_TOP = 60;
const SOURCE_SCALE = 0.5;

function canvasPixel(canvas, cssX, cssY) {
  const dpr = canvas.width / canvas.clientWidth;
  const data = canvas.getContext('2d').getImageData(Math.floor(cssX * dpr), Math.floor(cssY * dpr), 1, 1).data;
  return [data[0], data[1], data[2], data[3]];
}

function record(frame) {
  const canvas = window.player.renderer.overlay.canvas;
  const entry = {
    rtpTimestamp: frame.rtpTimestamp ?? null,
    overlayRtpTimestamp: frame.overlayRtpTimestamp ?? null,
    objects: frame.objects.length,
    box: null,
    trackId: null,
    edgeOk: null,
    edge: null,
    insideAlpha: null,
    canvasSize: [canvas.width, canvas.height],
    // How long after its receipt the picture is shown: what the playout delay changes.
    displayDelay: frame.receiveTime === undefined ? null : frame.expectedDisplayTime - frame.receiveTime,
  };
  const object = frame.objects[0];
  if (object) {
    const [x1, y1, x2, y2] = object.box;
    const bottom = PICTURE_TOP + y2 * SOURCE_SCALE;
    const middle = ((x1 + x2) / 2) * SOURCE_SCALE;
    const edge = canvasPixel(canvas, middle, bottom);
    const colour = sightline.objectColour(object);
    entry.box = object.box;
    entry.trackId = object.trackId ?? null;
    entry.edge = edge;
    entry.edgeOk = edge[0] === colour.r && edge[1] === colour.g && edge[2] === colour.b && edge[3] === 255;
    entry.insideAlpha = canvasPixel(canvas, middle, PICTURE_TOP + ((y1 + y2) / 2) * SOURCE_SCALE)[3];
  }
  window.presented.push(entry);
  if (window.presented.length > 3000) window.presented.splice(0, 1000);
}

window.startPlayer = (options = {}) => {
  const video = document.getElementById('video');
  const player = new sightline.LivePlayer({
    hubUrl: location.origin,
    cameraId: 'cam-player',
    video,
    token: async () => 'token-' + ++window.tokensIssued,
    reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
    ...options,
  });
  window.player = player;
  player.on('state', (change) => window.states.push({ state: change.state, code: change.error?.code ?? null, status: change.error?.status ?? null }));
  player.on('scene', (event) => window.sceneEvents.push({ zones: event.scene.zones.length, lines: event.scene.lines.length, error: event.error ?? null }));
  player.on('frame', record);
  return true;
};

window.playerStats = async () => {
  const stats = await window.player.getStats();
  return stats ? { ...stats } : null;
};

window.sceneCheck = () => {
  const canvas = window.player.renderer.overlay.canvas;
  // The zone covers x 0.05..0.3, y 0.9..1 of the picture; the line runs at y = 0.85 from x 0.05 to 0.95.
  return {
    zone: canvasPixel(canvas, 0.07 * 640, PICTURE_TOP + 0.97 * 360),
    zoneColour: sightline.sceneColour(0),
    line: canvasPixel(canvas, 0.9 * 640, PICTURE_TOP + 0.85 * 360),
    lineColour: sightline.sceneColour(1),
    outside: canvasPixel(canvas, 320, 20),
  };
};

window.canvasIsEmpty = () => {
  const canvas = window.player.renderer.overlay.canvas;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return false;
  return true;
};

window.canvasPlacement = () => {
  const canvas = window.player.renderer.overlay.canvas;
  const video = document.getElementById('video');
  const c = canvas.getBoundingClientRect();
  const v = video.getBoundingClientRect();
  return { canvas: [c.left, c.top, c.width, c.height], video: [v.left, v.top, v.width, v.height], backing: [canvas.width, canvas.height], dpr: devicePixelRatio };
};

window.destroyPlayer = async () => {
  await window.player.destroy();
  return { canvases: document.querySelectorAll('canvas').length, srcObject: document.getElementById('video').srcObject === null };
};

window.ready = true;
</script>
</body></html>`;
