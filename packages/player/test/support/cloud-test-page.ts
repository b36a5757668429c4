/**
 * The page the cloud player's browser test loads: it imports the compiled player from /player/index.js (no bundler)
 * and offers helpers to the test:
 *
 * - `startCloud(options)`: a CloudPlayer for the session in `location.hash` on this origin, in a 640×480 <video>
 *   with object-fit contain at (7, 13): a 640×360 stream is letterboxed, the picture lies at y 73..433 of the page;
 *   tokens `token-1`, `token-2`, …; F2 is reserved (a HUD toggle's key);
 * - `statuses`, `inputs` (every message the player sent, with whether it could go), `stats`, `gamepadEvents`,
 *   `pointerLocks`, `channelStates`;
 * - latency probes over the player's own data channels (see the test for the method): `pingOffset()`, `sendSparse()`
 *   and `received` for what the werift peer sent to the page.
 */
export const CLOUD_TEST_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Sightline cloud player test</title>
<style>
  body { margin: 0; height: 3000px; }
  #stage { margin: 13px 0 0 7px; width: 640px; }
  video { display: block; width: 640px; height: 480px; background: #222; object-fit: contain; }
</style></head>
<body>
<div id="stage"><video id="video"></video></div>
<input id="elsewhere" aria-label="elsewhere">
<script type="module">
import * as sightline from '/player/index.js';
window.sightline = sightline;
window.statuses = [];
window.inputs = [];
window.stats = [];
window.gamepadEvents = [];
window.pointerLocks = [];
window.channelStates = [];
window.received = [];
window.tokensIssued = 0;
const now = () => performance.timeOrigin + performance.now();
window.pageNow = now;

window.startCloud = (options = {}) => {
  const video = document.getElementById('video');
  const player = new sightline.CloudPlayer({
    hubUrl: location.origin,
    sessionId: location.hash.slice(1),
    video,
    token: async () => 'token-' + ++window.tokensIssued,
    reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
    reservedKeys: ['F2'],
    statsIntervalMs: 500,
    ...options,
  });
  window.player = player;
  player.on('status', (s) => window.statuses.push({ phase: s.phase, queuePosition: s.queuePosition ?? null, endReason: s.endReason ?? null, error: s.error?.code ?? null, spectator: s.spectator }));
  player.on('input', (e) => window.inputs.push({ ...e.input, sent: e.sent, at: now() }));
  player.on('stats', (s) => window.stats.push({ ...s, playback: undefined }));
  player.on('gamepads', (pads) => window.gamepadEvents.push(pads));
  player.on('pointerLock', (locked) => window.pointerLocks.push(locked));
  player.on('channel', (c) => window.channelStates.push(c.channel + ':' + c.state));
  player.on('channelMessage', (m) => window.received.push({ channel: m.channel, data: m.data, at: now() }));
  return true;
};

/** Pings the werift peer on the reliable channel; each answer carries the peer's clock (see the test). */
window.pingOffset = async (count) => {
  const channel = window.player.channels.reliable;
  const samples = [];
  for (let i = 0; i < count; i++) {
    const answer = new Promise((resolve) => {
      const onMessage = (event) => {
        const message = JSON.parse(event.data);
        if (message.probe === 'pong' && message.i === i) {
          channel.removeEventListener('message', onMessage);
          resolve({ t0: message.t0, t1: message.t1, t2: now() });
        }
      };
      channel.addEventListener('message', onMessage);
    });
    channel.send(JSON.stringify({ probe: 'ping', i, t0: now() }));
    samples.push(await answer);
    await new Promise((r) => setTimeout(r, 20));
  }
  return samples;
};

/** Sends count probes on a channel, one every minGap..maxGap ms (random), and resolves with their send times. */
window.sendSparse = async (name, count, minGap, maxGap) => {
  const channel = window.player.channels[name];
  const sent = [];
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, minGap + Math.random() * (maxGap - minGap)));
    const t = now();
    channel.send(JSON.stringify({ probe: 'up', i, t }));
    sent.push(t);
  }
  return sent;
};

window.ready = true;
</script>
</body></html>`;
