import { afterEach, describe, expect, it } from 'vitest';
import { CameraFeed, FeedRtpSource, PrivacyTranscoder, WhipClient, h264StartsKeyframe, startsH264Idr, type AccessUnit, type PictureSource } from '../../src/index.js';
import { RelayWhipServer } from '../publish-support/relay-whip-server.js';
import { waitUntilGone } from '../publish-support/processes.js';
import { LOOPBACK_ICE } from '../support/test-publisher.js';
import { WeriftViewer } from '../support/werift-viewer.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function publish(source: PictureSource): Promise<{ server: RelayWhipServer; viewer: WeriftViewer; rtp: FeedRtpSource }> {
  const server = await RelayWhipServer.start('secret');
  cleanups.push(() => server.close());
  const rtp = new FeedRtpSource({ source });
  const client = new WhipClient({ url: server.url, token: 'secret', encoder: rtp, ice: LOOPBACK_ICE });
  cleanups.push(() => client.stop());
  await client.start();
  await client.whenConnected();
  const viewer = await WeriftViewer.join((offer) => server.relay.addViewer(offer));
  cleanups.push(() => viewer.close());
  return { server, viewer, rtp };
}

function startFeed(source: string): CameraFeed {
  const feed = new CameraFeed({ source });
  feed.start();
  cleanups.push(() => feed.stop());
  return feed;
}

describe('publishing a camera feed over WHIP', () => {
  it('passes the camera H.264 through with the feed pts as RTP timestamps, starting on a keyframe at once', async () => {
    const feed = startFeed('lavfi:testsrc2=size=320x240:rate=25');
    const pts = new Set<number>();
    feed.subscribe((u: AccessUnit) => pts.add(u.pts % 2 ** 32));
    const { viewer } = await publish(feed);
    await viewer.waitForPackets(60);
    expect(h264StartsKeyframe(viewer.packets[0]!.payload)).toBe(true);
    const timestamps = new Set(viewer.packets.map((p) => p.header.timestamp));
    for (const t of timestamps) expect(pts.has(t)).toBe(true);
  }, 30_000);

  it('transcodes with privacy applied, keeps the feed timeline, and makes a keyframe when asked', async () => {
    const feed = startFeed('lavfi:testsrc2=size=320x240:rate=25');
    const pts = new Set<number>();
    feed.subscribe((u: AccessUnit) => pts.add(u.pts % 2 ** 32));
    const transcoder = new PrivacyTranscoder({ feed, masks: [[[0, 0], [0.5, 0], [0.5, 1], [0, 1]]], minKeyframeIntervalMs: 100 });
    transcoder.start();
    cleanups.push(() => transcoder.stop());
    const { viewer } = await publish(transcoder);
    await viewer.waitForPackets(60);
    const timestamps = new Set(viewer.packets.map((p) => p.header.timestamp));
    for (const t of timestamps) expect(pts.has(t)).toBe(true);

    // The relay forwards at most one keyframe request upstream per 200 ms (and may have just sent one for this
    // viewer's join), so the viewer asks again until the transcoder has restarted its encoder.
    const restartsBefore = transcoder.counters.keyframeRestarts;
    const askedAt = viewer.packets.length;
    for (let attempt = 0; attempt < 10 && transcoder.counters.keyframeRestarts === restartsBefore; attempt++) {
      await viewer.sendPli();
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(transcoder.counters.keyframeRestarts).toBeGreaterThan(restartsBefore);
    const deadline = Date.now() + 3000;
    let keyframeAfter = false;
    while (!keyframeAfter && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      keyframeAfter = viewer.packets.slice(askedAt).some((p) => startsH264Idr(p.serialize(), p.header.serializeSize));
    }
    expect(keyframeAfter).toBe(true);

    const pids = transcoder.pids;
    expect(pids.length).toBeGreaterThanOrEqual(2);
    await transcoder.stop();
    await waitUntilGone(pids, 3000);
  }, 30_000);
});
