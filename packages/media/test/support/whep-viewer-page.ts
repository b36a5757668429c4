/**
 * A page with a plain-JavaScript WHEP player (no bundling, so what runs is what is written here):
 * `window.whepJoin(url)` opens one receive-only peer connection, POSTs its complete offer (no trickle ICE), plays the
 * answer in a <video> and resolves with the milliseconds from the POST to the first decoded and the first presented
 * frame. `window.whepStats()` reports every player's decoded frames, picture size, SRTP cipher and sender reports received; `window.whepLeave()` closes all
 * and DELETEs their sessions.
 */
export const WHEP_VIEWER_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>WHEP test viewer</title></head>
<body>
<script>
window.players = [];

function gatheringComplete(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
}

async function framesDecoded(pc) {
  const stats = await pc.getStats();
  for (const report of stats.values()) {
    if (report.type === 'inbound-rtp' && report.kind === 'video') return report.framesDecoded || 0;
  }
  return 0;
}

// What the relay's sending side looks like from here: the SRTP cipher DTLS chose and how many RTCP sender reports
// arrived (remote-outbound-rtp exists only once one has).
async function senderInfo(pc) {
  const stats = await pc.getStats();
  let srtpCipher = null;
  let senderReports = 0;
  for (const report of stats.values()) {
    if (report.type === 'transport' && report.srtpCipher) srtpCipher = report.srtpCipher;
    if (report.type === 'remote-outbound-rtp' && report.kind === 'video') senderReports = report.reportsSent || 0;
  }
  return { srtpCipher, senderReports };
}

window.whepJoin = async function (url) {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.width = 160;
  document.body.appendChild(video);
  const player = { pc, video, location: null };
  window.players.push(player);
  let presentedAt = 0;
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(() => { presentedAt = performance.now(); });
  pc.ontrack = (event) => {
    video.srcObject = new MediaStream([event.track]);
    video.play().catch(() => {});
  };
  await pc.setLocalDescription(await pc.createOffer());
  await gatheringComplete(pc);
  const postedAt = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: pc.localDescription.sdp,
  });
  if (response.status !== 201) throw new Error('WHEP POST answered ' + response.status + ': ' + (await response.text()));
  player.location = response.headers.get('location');
  const answerSdp = await response.text();
  const answeredAt = performance.now();
  let connectedAt = 0;
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'connected') connectedAt = performance.now();
  });
  await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  let decodedAt = 0;
  const deadline = postedAt + 15000;
  while (!decodedAt) {
    if (performance.now() > deadline) throw new Error('no frame decoded within 15 s; connection ' + pc.connectionState);
    if ((await framesDecoded(pc)) > 0) decodedAt = performance.now();
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const presentDeadline = performance.now() + 3000;
  while (!presentedAt && performance.now() < presentDeadline) await new Promise((resolve) => setTimeout(resolve, 5));
  return {
    answeredMs: answeredAt - postedAt,
    connectedMs: connectedAt ? connectedAt - postedAt : null,
    decodedMs: decodedAt - postedAt,
    presentedMs: presentedAt ? presentedAt - postedAt : null,
  };
};

window.whepStats = async function () {
  return Promise.all(window.players.map(async (player) => ({
    framesDecoded: await framesDecoded(player.pc),
    videoWidth: player.video.videoWidth,
    videoHeight: player.video.videoHeight,
    connectionState: player.pc.connectionState,
    ...(await senderInfo(player.pc)),
  })));
};

window.whepLeave = async function () {
  const players = window.players.splice(0);
  await Promise.all(players.map(async (player) => {
    player.pc.close();
    if (player.location) await fetch(player.location, { method: 'DELETE' });
  }));
};
</script>
</body></html>`;
