/** What the test page offers the test (page.evaluate). */
export interface CloudPlayerWindow {
  join(whepUrl: string, token: string): Promise<{ framesDecoded: number }>;
  key(code: string): Promise<void>;
  click(x: number, y: number): Promise<void>;
  /** The decoded picture's colour around a point (0..1 of the picture), rgb. */
  colourAt(x: number, y: number): Promise<number[]>;
  /** Mean brightness of a 4×4 grid over the picture: enough to tell one screen from another. */
  signature(): Promise<number[]>;
  stats(): Promise<{ framesDecoded: number; packetsLost: number }>;
  leave(): Promise<void>;
}

/**
 * A minimal cloud player for the end-to-end tests: WHEP with the two input channels (the protocol's INPUT_CHANNELS),
 * key and click messages as StreamInput JSON, and the decoded video's pixels read through a canvas.
 */
export const CLOUD_PLAYER_PAGE = `<!doctype html><html><body style="margin:0;background:#000">
<video id="v" autoplay muted playsinline style="width:640px;height:360px"></video>
<script>
const video = document.getElementById('v');
const canvas = document.createElement('canvas');
const context = canvas.getContext('2d', { willReadFrequently: true });
let pc, input, pointer;

window.join = async (whepUrl, token) => {
  pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  input = pc.createDataChannel('input', { ordered: true });
  pointer = pc.createDataChannel('pointer', { ordered: false, maxPacketLifeTime: 100 });
  pc.ontrack = (e) => { video.srcObject = new MediaStream([e.track]); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => {
    if (pc.iceGatheringState === 'complete') return r();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
    setTimeout(r, 2000);
  });
  const res = await fetch(whepUrl, { method: 'POST', headers: { 'content-type': 'application/sdp', authorization: 'Bearer ' + token }, body: pc.localDescription.sdp });
  if (res.status !== 201) throw new Error('WHEP ' + res.status + ' ' + await res.text());
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  await new Promise((r) => { if (input.readyState === 'open') r(); else input.onopen = r; });
  const deadline = performance.now() + 20000;
  let decoded = 0;
  while (performance.now() < deadline) {
    decoded = (await window.stats()).framesDecoded;
    if (decoded > 0 && video.videoWidth > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { framesDecoded: decoded };
};

window.key = async (code) => {
  input.send(JSON.stringify({ type: 'key', code, down: true }));
  input.send(JSON.stringify({ type: 'key', code, down: false }));
};

window.click = async (x, y) => {
  pointer.send(JSON.stringify({ type: 'mouse-move', x, y }));
  // The move travels unordered: give it a moment so the press lands where it points.
  await new Promise((r) => setTimeout(r, 50));
  input.send(JSON.stringify({ type: 'button', button: 0, down: true }));
  input.send(JSON.stringify({ type: 'button', button: 0, down: false }));
};

function draw() {
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  context.drawImage(video, 0, 0);
}

window.colourAt = async (x, y) => {
  draw();
  const px = Math.round(x * (canvas.width - 9)), py = Math.round(y * (canvas.height - 9));
  const data = context.getImageData(px, py, 8, 8).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) { sum[0] += data[i]; sum[1] += data[i + 1]; sum[2] += data[i + 2]; }
  return sum.map((v) => Math.round(v / (data.length / 4)));
};

window.signature = async () => {
  draw();
  const cells = [];
  for (let gy = 0; gy < 4; gy++) for (let gx = 0; gx < 4; gx++) {
    const w = Math.floor(canvas.width / 4), h = Math.floor(canvas.height / 4);
    const data = context.getImageData(gx * w, gy * h, w, h).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += data[i] + data[i + 1] + data[i + 2];
    cells.push(Math.round(sum / (data.length / 4) / 3));
  }
  return cells;
};

window.stats = async () => {
  const out = { framesDecoded: 0, packetsLost: 0 };
  if (!pc) return out;
  (await pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') Object.assign(out, { framesDecoded: s.framesDecoded ?? 0, packetsLost: s.packetsLost ?? 0 });
  });
  return out;
};

window.leave = async () => { pc?.close(); pc = undefined; video.srcObject = null; };
</script></body></html>`;
