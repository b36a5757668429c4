import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FeedRtpSource, LiveRelay, signallingErrorResponse, WhipClient, WhipWhepSessions, type SignallingResponse } from '@sightline/media';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../media/test/support/chromium.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ScreenCapture } from '../src/index.js';
import { busyDisplay, type BusyDisplay } from './support/busy-display.js';

const ICE = { loopbackOnly: true };


/** A plain WHEP player: join() resolves with the ms from the POST to the first decoded frame; stats() says what plays. */
const PAGE = `<!doctype html><html><body><video id="v" muted autoplay playsinline></video><script>
let pc;
async function inbound() {
  const stats = await pc.getStats();
  let rtp, codec;
  for (const r of stats.values()) if (r.type === 'inbound-rtp' && r.kind === 'video') rtp = r;
  if (rtp && rtp.codecId) codec = stats.get(rtp.codecId);
  return { framesDecoded: rtp ? rtp.framesDecoded || 0 : 0, keyFramesDecoded: rtp ? rtp.keyFramesDecoded || 0 : 0,
    pliCount: rtp ? rtp.pliCount || 0 : 0, mimeType: codec ? codec.mimeType : null };
}
window.join = async (url) => {
  pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.ontrack = (e) => { const v = document.getElementById('v'); v.srcObject = new MediaStream([e.track]); v.play().catch(() => {}); };
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== 'complete') await new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
  const postedAt = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
  if (response.status !== 201) throw new Error('WHEP ' + response.status + ': ' + (await response.text()));
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  while ((await inbound()).framesDecoded === 0) {
    if (performance.now() - postedAt > 15000) throw new Error('nothing decoded; connection ' + pc.connectionState);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - postedAt;
};
window.stats = async () => ({ ...(await inbound()), width: document.getElementById('v').videoWidth, height: document.getElementById('v').videoHeight });
</script></body></html>`;

interface PageStats {
  framesDecoded: number;
  keyFramesDecoded: number;
  pliCount: number;
  mimeType: string | null;
  width: number;
  height: number;
}

describe('VP8 screen capture in a browser', () => {
  let busy: BusyDisplay | undefined;
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close();
    await busy?.stop();
    browser = undefined;
    busy = undefined;
  });

  it('Chromium decodes the capture published over WHIP and relayed over WHEP as VP8', async () => {
    busy = await busyDisplay({ width: 320, height: 180, mode: 'boxes', fps: 30 });
    const capture = new ScreenCapture({ display: busy.display, fps: 30, bitrateKbps: 800, codec: 'vp8', drawCursor: false });
    const relay = new LiveRelay({ id: 'session-1', ice: ICE });
    const sessions = new WhipWhepSessions({ resourceLocation: (session) => `/sessions/${session.resourceId}` });
    const server = http.createServer((request, response) => {
      void (async () => {
        let reply: SignallingResponse;
        try {
          if (request.method === 'GET') {
            reply = { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: PAGE };
          } else if (request.method === 'POST') {
            const chunks: Buffer[] = [];
            for await (const chunk of request) chunks.push(chunk as Buffer);
            const sdp = { contentType: request.headers['content-type'], body: Buffer.concat(chunks) };
            reply = request.url === '/whip' ? await sessions.publish(relay, sdp) : await sessions.view(relay, sdp);
          } else {
            reply = await sessions.remove(request.url!.slice('/sessions/'.length));
          }
        } catch (error) {
          reply = signallingErrorResponse(error);
        }
        response.writeHead(reply.status, reply.headers);
        response.end(reply.body);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new WhipClient({ url: `${base}/whip`, encoder: new FeedRtpSource({ source: capture }), ice: ICE });
    try {
      await capture.start();
      await client.start();
      await client.whenConnected(15_000);
      expect(relay.codec.name).toBe('vp8');
      browser = await launchChromium();
      const page = await browser.newPage();
      await page.goto(base);
      const decodedMs = await page.evaluate((url) => (window as unknown as { join(url: string): Promise<number> }).join(url), '/whep');
      const stats = () => page.evaluate(() => (window as unknown as { stats(): Promise<PageStats> }).stats());
      const first = await stats();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const later = await stats();
      console.log(
        `Chromium: WHEP POST → first decoded VP8 frame ${decodedMs.toFixed(0)} ms; ${first.mimeType} ${later.width}×${later.height}, frames decoded ${first.framesDecoded} → ${later.framesDecoded} in 2 s, key frames ${later.keyFramesDecoded}, PLIs sent ${later.pliCount}; capture key frames ${capture.stats.idrs}`,
      );
      expect(first.mimeType).toBe('video/VP8');
      expect(later.width).toBe(320);
      expect(later.height).toBe(180);
      expect(later.framesDecoded - first.framesDecoded).toBeGreaterThan(40);
    } finally {
      await client.stop();
      await capture.stop();
      await relay.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
