import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveRelay, h264StartsKeyframe } from '../src/index.js';
import { LOOPBACK_ICE, TestPublisher } from './support/test-publisher.js';
import { WeriftViewer } from './support/werift-viewer.js';

/** Frames between keyframes of the test publisher: 2 s at 30 fps, so a joining viewer lands mid-GOP. */
const GOP_FRAMES = 60;
const PLI_INTERVAL_MS = 500;
const SILENCE_TIMEOUT_MS = 3000;

function sequenceGaps(viewer: WeriftViewer): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < viewer.packets.length; i++) {
    const gap = (viewer.packets[i]!.header.sequenceNumber - viewer.packets[i - 1]!.header.sequenceNumber) & 0xffff;
    if (gap !== 1) gaps.push(gap);
  }
  return gaps;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('LiveRelay with werift peers', () => {
  let relay: LiveRelay;
  let publisher: TestPublisher;
  const publishers: TestPublisher[] = [];
  const viewers: WeriftViewer[] = [];
  const viewerCounts: number[] = [];
  const publisherEvents: boolean[] = [];

  beforeAll(async () => {
    relay = new LiveRelay({
      id: 'cam-test',
      ice: LOOPBACK_ICE,
      pliMinIntervalMs: PLI_INTERVAL_MS,
      viewerSilenceTimeoutMs: SILENCE_TIMEOUT_MS,
      publisherSilenceTimeoutMs: SILENCE_TIMEOUT_MS,
    });
    relay.on('viewers', (count) => viewerCounts.push(count));
    relay.on('publisher', (connected) => publisherEvents.push(connected));
    publisher = await TestPublisher.start((offer) => relay.acceptPublisher(offer), { gop: GOP_FRAMES });
    publishers.push(publisher);
  });

  afterAll(async () => {
    await Promise.all(viewers.map((viewer) => viewer.close().catch(() => undefined)));
    await Promise.all(publishers.map((p) => p.stop().catch(() => undefined)));
    await relay.close();
  });

  it('forwards the publisher to three viewers, each starting on a keyframe', async () => {
    const joinStarted = performance.now();
    viewers.push(...(await Promise.all([1, 2, 3].map(() => WeriftViewer.join((offer) => relay.addViewer(offer))))));
    console.log(`three werift viewers connected in ${(performance.now() - joinStarted).toFixed(0)} ms`);
    expect(relay.viewerCount).toBe(3);
    expect(relay.hasPublisher).toBe(true);
    expect(viewerCounts).toEqual([1, 2, 3]);
    const joinedAt = performance.now();
    await Promise.all(viewers.map((viewer) => viewer.waitForPackets(60)));
    console.log(`60 packets each after ${(performance.now() - joinedAt).toFixed(0)} ms`);
    for (const viewer of viewers) {
      expect(h264StartsKeyframe(viewer.packets[0]!.payload)).toBe(true);
      expect(sequenceGaps(viewer)).toEqual([]);
    }
    // Each viewer has its own SSRC (the relay rewrites it) and got the publisher's packets.
    expect(new Set(viewers.map((viewer) => viewer.remoteSsrc)).size).toBe(3);
    const stats = relay.stats();
    expect(stats.viewers).toBe(3);
    expect(stats.viewersOnFastPath).toBe(3); // the default: the relay's own SRTP and UDP send
    expect(stats.packetsForwarded).toBeGreaterThanOrEqual(3 * 60);
    expect(stats.packetsIn).toBeLessThanOrEqual(publisher.packetsSent);
  });

  it('starts a viewer who joins mid-GOP from the cached GOP at once', async () => {
    const watcher = viewers[0]!;
    // Wait until the current GOP is at least 600 ms old, so that waiting for the next keyframe would be visible.
    let keyframeTimestamp = -1;
    let keyframeSeenAt = 0;
    let scanned = watcher.packets.length;
    await waitFor(() => {
      for (; scanned < watcher.packets.length; scanned++) {
        const packet = watcher.packets[scanned]!;
        if (h264StartsKeyframe(packet.payload) && packet.header.timestamp !== keyframeTimestamp) {
          keyframeTimestamp = packet.header.timestamp;
          keyframeSeenAt = performance.now();
        }
      }
      return keyframeTimestamp >= 0 && performance.now() - keyframeSeenAt > 600;
    }, 'a GOP 600 ms old');
    const requestsBefore = relay.stats().keyframeRequestsUpstream;
    const pliBefore = publisher.pliReceived;
    const joiner = await WeriftViewer.join((offer) => relay.addViewer(offer));
    viewers.push(joiner);
    const connectedAt = performance.now();
    await joiner.waitForPackets(1, 3000);
    const firstPacketAfterMs = performance.now() - connectedAt;
    const first = joiner.packets[0]!;
    expect(h264StartsKeyframe(first.payload)).toBe(true);
    // The first packet is the keyframe the others saw more than 600 ms ago, not the next one.
    expect(first.header.timestamp).toBe(keyframeTimestamp);
    expect(firstPacketAfterMs).toBeLessThan(400);
    // The whole GOP so far came in one burst: more than 500 ms of video within a few milliseconds.
    await sleep(50);
    const burstSpanMs = (joiner.packets.at(-1)!.header.timestamp - first.header.timestamp) / 90;
    expect(burstSpanMs).toBeGreaterThan(500);
    // The join also asked the publisher for a fresh keyframe, for encoders that can make one.
    await waitFor(() => publisher.pliReceived > pliBefore, 'the PLI of the join', 2000);
    expect(relay.stats().keyframeRequestsUpstream).toBeGreaterThan(requestsBefore);
    console.log(`mid-GOP join: first packet ${firstPacketAfterMs.toFixed(1)} ms after connecting, ${burstSpanMs.toFixed(0)} ms of cached GOP`);
  });

  it('sends at most one PLI upstream per interval, however many viewers ask', async () => {
    await sleep(PLI_INTERVAL_MS); // let the join's own request age out
    const upstreamBefore = relay.stats().keyframeRequestsUpstream;
    const receivedBefore = publisher.pliReceived;
    const started = performance.now();
    while (performance.now() - started < 1200) {
      await Promise.all(viewers.map((viewer) => viewer.sendPli()));
      await sleep(50);
    }
    const windowMs = performance.now() - started;
    await sleep(PLI_INTERVAL_MS + 200); // a coalesced trailing request may still go out
    const upstream = relay.stats().keyframeRequestsUpstream - upstreamBefore;
    await waitFor(() => publisher.pliReceived - receivedBefore >= upstream, 'PLIs to reach the publisher', 2000);
    const received = publisher.pliReceived - receivedBefore;
    // About 100 viewer PLIs in 1.2 s become one immediate request plus at most one per interval.
    expect(upstream).toBeGreaterThanOrEqual(1);
    expect(upstream).toBeLessThanOrEqual(Math.ceil(windowMs / PLI_INTERVAL_MS) + 1);
    expect(received).toBe(upstream);
  });

  it('turns a viewer FIR into an upstream PLI too', async () => {
    await sleep(PLI_INTERVAL_MS + 100);
    const receivedBefore = publisher.pliReceived;
    await viewers[2]!.sendFir();
    await waitFor(() => publisher.pliReceived > receivedBefore, 'the PLI for the FIR', 2000);
    expect(publisher.pliReceived).toBe(receivedBefore + 1);
  });

  it("retransmits a packet a viewer NACKs, from the fast path's history", async () => {
    const viewer = viewers[1]!;
    const before = relay.stats().retransmissions;
    const countBefore = viewer.packets.length;
    const original = viewer.packets[countBefore - 5]!;
    const lost = original.header.sequenceNumber;
    await viewer.sendNack([lost]);
    await waitFor(() => relay.stats().retransmissions > before, 'a retransmission');
    await waitFor(
      () => viewer.packets.slice(countBefore).some((p) => p.header.sequenceNumber === lost),
      'the retransmitted packet',
    );
    const resent = viewer.packets.slice(countBefore).find((p) => p.header.sequenceNumber === lost)!;
    expect(resent.payload.equals(original.payload)).toBe(true);
    expect(resent.header.timestamp).toBe(original.header.timestamp);
    expect(resent.header.ssrc).toBe(original.header.ssrc);
    expect(relay.stats().retransmissions).toBe(before + 1);
    // A packet older than the history is not answered.
    const ancient = (viewer.packets[0]!.header.sequenceNumber - 1000) & 0xffff;
    await viewer.sendNack([ancient]);
    await sleep(300);
    expect(relay.stats().retransmissions).toBe(before + 1);
  });

  it('removes viewers and reports the count', async () => {
    const leaving = viewers.pop()!;
    viewerCounts.length = 0;
    await relay.removeViewer(leaving.viewerId);
    expect(relay.viewerCount).toBe(3);
    expect(viewerCounts).toEqual([3]);
    await relay.removeViewer('no-such-viewer');
    expect(viewerCounts).toEqual([3]);
  });

  it('drops a viewer whose peer connection closes', async () => {
    const leaving = viewers.pop()!;
    viewerCounts.length = 0;
    await leaving.close();
    const closedAt = performance.now();
    await waitFor(() => relay.viewerCount === 2, 'the relay to notice the closed viewer', 10_000);
    console.log(`closed viewer dropped after ${(performance.now() - closedAt).toFixed(0)} ms`);
    expect(viewerCounts).toEqual([2]);
  });

  it('lets a new publisher replace the old one without breaking the viewers', async () => {
    const staying = viewers[0]!;
    const countBefore = staying.packets.length;
    const inBefore = relay.stats().packetsIn;
    publisherEvents.length = 0;
    const replacement = await TestPublisher.start((offer) => relay.acceptPublisher(offer), { gop: GOP_FRAMES });
    publishers.push(replacement);
    await publisher.stop();
    publisher = replacement;
    await waitFor(() => publisherEvents.length === 2, 'publisher events');
    expect(publisherEvents).toEqual([false, true]);
    expect(relay.hasPublisher).toBe(true);
    await staying.waitForPackets(countBefore + 120);
    const afterSwitch = staying.packets.slice(countBefore);
    // One SSRC and one unbroken sequence across the switch; the new stream starts on a keyframe.
    expect(new Set(staying.packets.map((p) => p.header.ssrc)).size).toBe(1);
    expect(sequenceGaps(staying)).toEqual([]);
    const switchIndex = afterSwitch.findIndex(
      (p, i) => i > 0 && p.header.timestamp - afterSwitch[i - 1]!.header.timestamp === 3000 && h264StartsKeyframe(p.payload),
    );
    expect(switchIndex).toBeGreaterThanOrEqual(0);
    expect(afterSwitch.length - switchIndex).toBeGreaterThan(30);
    expect(relay.stats().packetsIn).toBeGreaterThan(inBefore + 30);
  });

  it('drops a publisher that falls silent but keeps its viewers', async () => {
    publisherEvents.length = 0;
    await publisher.stop();
    await waitFor(() => publisherEvents.length === 1, 'the publisher to be dropped', 10_000);
    expect(publisherEvents).toEqual([false]);
    expect(relay.hasPublisher).toBe(false);
    expect(relay.viewerCount).toBe(2);
  });

  it('closes every session', async () => {
    await relay.close();
    expect(relay.viewerCount).toBe(0);
    expect(relay.hasPublisher).toBe(false);
    await expect(relay.addViewer('v=0')).rejects.toThrow(/closed/);
  });
});

describe("LiveRelay on werift's sender (forwarding: 'werift')", () => {
  let relay: LiveRelay;
  let publisher: TestPublisher;
  let viewer: WeriftViewer | undefined;

  beforeAll(async () => {
    relay = new LiveRelay({ id: 'cam-werift-path', ice: LOOPBACK_ICE, forwarding: 'werift' });
    publisher = await TestPublisher.start((offer) => relay.acceptPublisher(offer), { gop: GOP_FRAMES });
  });

  afterAll(async () => {
    await viewer?.close().catch(() => undefined);
    await publisher.stop().catch(() => undefined);
    await relay.close();
  });

  it('forwards from a keyframe and answers NACKs from werift history', async () => {
    viewer = await WeriftViewer.join((offer) => relay.addViewer(offer));
    await viewer.waitForPackets(30);
    expect(h264StartsKeyframe(viewer.packets[0]!.payload)).toBe(true);
    expect(sequenceGaps(viewer)).toEqual([]);
    expect(relay.stats().viewersOnFastPath).toBe(0);
    const countBefore = viewer.packets.length;
    const lost = viewer.packets[countBefore - 3]!.header.sequenceNumber;
    await viewer.sendNack([lost]);
    await waitFor(() => viewer!.packets.slice(countBefore).some((p) => p.header.sequenceNumber === lost), 'the retransmitted packet');
    expect(relay.stats().retransmissions).toBe(1);
  });
});
