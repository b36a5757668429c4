/**
 * The bench's browser page (plain JavaScript, served by the relay process):
 * - `benchJoin(url)`: one receive-only peer, POSTs its complete offer (WHEP), resolves with the milliseconds from
 *   the POST to the answer, to connected, to the first decoded frame (getStats) and the first presented frame
 *   (requestVideoFrameCallback);
 * - every player records each presented frame's RTP timestamp with its receive and presentation times as wall clock
 *   (performance.timeOrigin + the callback's times), so the bench can match them with the publisher's send times;
 *   `benchFrames()` hands them over and forgets them; `benchLeave()` closes every player and DELETEs its session.
 */
export const GLASS_VIEWER_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Sightline live bench</title></head>
<body>
<script>
window.players = [];
window.frames = [];

function gatheringComplete(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => pc.addEventListener('icegatheringstatechange', () => {
    if (pc.iceGatheringState === 'complete') resolve();
  }));
}

async function framesDecoded(pc) {
  const stats = await pc.getStats();
  for (const report of stats.values()) {
    if (report.type === 'inbound-rtp' && report.kind === 'video') return report.framesDecoded || 0;
  }
  return 0;
}

function watchFrames(player) {
  const onFrame = (now, meta) => {
    if (!player.firstPresentedAt) player.firstPresentedAt = now;
    if (meta.rtpTimestamp !== undefined) {
      window.frames.push({
        rtpTimestamp: meta.rtpTimestamp,
        receiveWallMs: meta.receiveTime !== undefined ? performance.timeOrigin + meta.receiveTime : null,
        presentationWallMs: performance.timeOrigin + meta.presentationTime,
        expectedDisplayWallMs: performance.timeOrigin + meta.expectedDisplayTime,
        width: meta.width,
        height: meta.height,
      });
    }
    if (!player.closed) player.video.requestVideoFrameCallback(onFrame);
  };
  player.video.requestVideoFrameCallback(onFrame);
}

window.benchJoin = async function (url) {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  document.body.appendChild(video);
  const player = { pc, video, location: null, firstPresentedAt: 0, closed: false };
  window.players.push(player);
  watchFrames(player);
  pc.ontrack = (event) => {
    video.srcObject = new MediaStream([event.track]);
    video.play().catch(() => {});
  };
  await pc.setLocalDescription(await pc.createOffer());
  await gatheringComplete(pc);
  let connectedAt = 0;
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'connected') connectedAt = performance.now();
  });
  const postedAt = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
  if (response.status !== 201) throw new Error('WHEP POST answered ' + response.status + ': ' + (await response.text()));
  player.location = response.headers.get('location');
  const answerSdp = await response.text();
  const answeredAt = performance.now();
  await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  let decodedAt = 0;
  while (!decodedAt) {
    if (performance.now() > postedAt + 15000) throw new Error('no frame decoded within 15 s; connection ' + pc.connectionState);
    if ((await framesDecoded(pc)) > 0) decodedAt = performance.now();
    else await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const presentDeadline = performance.now() + 3000;
  while (!player.firstPresentedAt && performance.now() < presentDeadline) await new Promise((resolve) => setTimeout(resolve, 2));
  return {
    answeredMs: answeredAt - postedAt,
    connectedMs: connectedAt ? connectedAt - postedAt : null,
    decodedMs: decodedAt - postedAt,
    presentedMs: player.firstPresentedAt ? player.firstPresentedAt - postedAt : null,
  };
};

window.benchFrames = function () {
  return window.frames.splice(0);
};

window.benchLeave = async function () {
  const players = window.players.splice(0);
  await Promise.all(players.map(async (player) => {
    player.closed = true;
    player.pc.close();
    player.video.remove();
    if (player.location) await fetch(player.location, { method: 'DELETE' });
  }));
};
</script>
</body></html>`;
