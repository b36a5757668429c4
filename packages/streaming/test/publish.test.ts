import { FeedRtpSource } from '@sightline/media';
import { describe, expect, it } from 'vitest';
import { colorSession } from './support/color-session.js';

/** RFC 6184: an IDR either as a single NAL unit (type 5) or as the first fragment of an FU-A (type 28). */
function carriesIdr(packet: Buffer): boolean {
  const payload = packet.subarray(12 + 4 * (packet[0]! & 0x0f));
  const type = payload[0]! & 0x1f;
  return type === 5 || (type === 28 && (payload[1]! & 0x1f) === 5 && (payload[1]! & 0x80) !== 0);
}

describe('publishing a session with media', () => {
  it("FeedRtpSource takes the capture as it is, and a joining receiver gets an IDR soon even mid-sweep", async () => {
    const session = colorSession();
    await session.start();
    try {
      // Well past the first IDR: the history now starts at a refresh sweep, which a browser cannot start from.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const source = new FeedRtpSource({ source: session.capture });
      const packets: { packet: Buffer; at: number }[] = [];
      source.on('rtp', (packet) => packets.push({ packet, at: performance.now() }));
      await source.start();
      const connectedAt = performance.now();
      source.requestKeyframe(); // what WhipClient does when it connects
      const deadline = connectedAt + 3000;
      while (!packets.some(({ packet }) => carriesIdr(packet)) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const idr = packets.find(({ packet }) => carriesIdr(packet));
      expect(packets.length).toBeGreaterThan(0);
      expect(idr).toBeDefined();
      console.log(`receiver connected → first RTP packet ${(packets[0]!.at - connectedAt).toFixed(0)} ms, → IDR ${(idr!.at - connectedAt).toFixed(0)} ms`);
      await source.stop();
    } finally {
      await session.end();
    }
  });
});
