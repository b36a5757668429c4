/**
 * The bench's player: a page that plays a session over WHEP with the two input channels, watches every presented
 * frame (requestVideoFrameCallback) for the brightness of the flip app's top area, and times a key press from the
 * moment it is sent to the presentation of the first frame that shows the flip.
 */
export const PLAYER_PAGE = `<!doctype html><html><body style="margin:0;background:#000">
<video id="v" autoplay muted playsinline style="width:640px;height:360px"></video>
<script>
const video = document.getElementById('v');
const canvas = document.createElement('canvas');
canvas.width = 4; canvas.height = 4;
const context = canvas.getContext('2d', { willReadFrequently: true });
let pc, input, bright, firstFrameAt, pending;
let frames = 0;

function onFrame(now, metadata) {
  frames++;
  firstFrameAt ??= performance.now();
  // The flip area is the top two thirds; sample a patch well inside it.
  const w = video.videoWidth, h = video.videoHeight;
  context.drawImage(video, w * 0.2, h * 0.15, w * 0.3, h * 0.3, 0, 0, 4, 4);
  const data = context.getImageData(0, 0, 4, 4).data;
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += data[i] + data[i + 1] + data[i + 2];
  const mean = sum / (data.length / 4) / 3;
  const isBright = mean > 128;
  const clear = mean > 200 || mean < 55;
  if (pending && clear && isBright === pending.expect) {
    const done = pending;
    pending = undefined;
    done.resolve({ presentedMs: metadata.presentationTime - done.sentAt, callbackMs: now - done.sentAt });
  }
  if (clear) bright = isBright;
  video.requestVideoFrameCallback(onFrame);
}
video.requestVideoFrameCallback(onFrame);

window.join = async (whepUrl, token) => {
  pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  input = pc.createDataChannel('input', { ordered: true });
  pc.createDataChannel('pointer', { ordered: false, maxPacketLifeTime: 100 });
  pc.ontrack = (e) => { video.srcObject = new MediaStream([e.track]); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => {
    if (pc.iceGatheringState === 'complete') return r();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
    setTimeout(r, 2000);
  });
  const postedAt = performance.now();
  const res = await fetch(whepUrl, { method: 'POST', headers: { 'content-type': 'application/sdp', authorization: 'Bearer ' + token }, body: pc.localDescription.sdp });
  if (res.status !== 201) throw new Error('WHEP ' + res.status + ' ' + await res.text());
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  await new Promise((r) => { if (input.readyState === 'open') r(); else input.onopen = r; });
  const deadline = performance.now() + 15000;
  while (firstFrameAt === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return { whepToFirstFrameMs: firstFrameAt - postedAt, firstFrameAt: performance.timeOrigin + firstFrameAt };
};

window.press = (timeoutMs) => new Promise((resolve) => {
  if (bright === undefined) return resolve({ error: 'no clear frame yet' });
  const sentAt = performance.now();
  pending = { expect: !bright, sentAt, resolve };
  input.send(JSON.stringify({ type: 'key', code: 'Space', down: true }));
  input.send(JSON.stringify({ type: 'key', code: 'Space', down: false }));
  setTimeout(() => { if (pending && pending.sentAt === sentAt) { pending = undefined; resolve({ error: 'timeout' }); } }, timeoutMs);
});

window.stats = async () => {
  const report = await pc.getStats();
  const out = {};
  report.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') Object.assign(out, { framesDecoded: s.framesDecoded, framesDropped: s.framesDropped, packetsLost: s.packetsLost, packetsReceived: s.packetsReceived, bytesReceived: s.bytesReceived, fps: s.framesPerSecond, jitterBufferDelay: s.jitterBufferDelay, jitterBufferEmittedCount: s.jitterBufferEmittedCount, width: s.frameWidth, height: s.frameHeight });
    if (s.type === 'candidate-pair' && s.nominated) out.rttMs = (s.currentRoundTripTime ?? 0) * 1000;
  });
  out.frames = frames;
  return out;
};

window.leave = async () => { pc?.close(); };
</script></body></html>`;
