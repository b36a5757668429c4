import { describe, expect, it, vi } from 'vitest';
import { GopCache, type ForwardedPacket } from '../src/relay/gop-cache.js';
import { h264StartsKeyframe, vp8StartsKeyframe } from '../src/relay/keyframe.js';
import { KeyframeRequestLimiter } from '../src/relay/keyframe-request-limiter.js';
import { chooseViewerCodec, choosePublisherCodec } from '../src/relay/codec-choice.js';
import { h264Codec, vp8Codec } from '../src/ice.js';
import { RTCRtpCodecParameters } from 'werift';

describe('keyframe detection', () => {
  it('finds IDR and SPS in single NAL, STAP-A and FU-A H.264 payloads', () => {
    expect(h264StartsKeyframe(Buffer.from([0x65, 0x88]))).toBe(true); // IDR slice
    expect(h264StartsKeyframe(Buffer.from([0x67, 0x42]))).toBe(true); // SPS
    expect(h264StartsKeyframe(Buffer.from([0x41, 0x9a]))).toBe(false); // non-IDR slice
    expect(h264StartsKeyframe(Buffer.from([0x68, 0xce]))).toBe(false); // PPS alone
    // STAP-A holding SPS (2 bytes) and PPS (2 bytes)
    expect(h264StartsKeyframe(Buffer.from([0x78, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xce]))).toBe(true);
    expect(h264StartsKeyframe(Buffer.from([0x78, 0, 2, 0x68, 0xce, 0, 2, 0x06, 0x05]))).toBe(false);
    // FU-A: start of an IDR, middle of an IDR, start of a P slice
    expect(h264StartsKeyframe(Buffer.from([0x7c, 0x85, 0x88]))).toBe(true);
    expect(h264StartsKeyframe(Buffer.from([0x7c, 0x05, 0x88]))).toBe(false);
    expect(h264StartsKeyframe(Buffer.from([0x7c, 0x81, 0x9a]))).toBe(false);
    expect(h264StartsKeyframe(Buffer.alloc(0))).toBe(false);
  });

  it('finds VP8 key frames behind the payload descriptor', () => {
    expect(vp8StartsKeyframe(Buffer.from([0x10, 0x00]))).toBe(true); // S=1, PID=0, P=0
    expect(vp8StartsKeyframe(Buffer.from([0x10, 0x01]))).toBe(false); // inter frame
    expect(vp8StartsKeyframe(Buffer.from([0x00, 0x00]))).toBe(false); // not a partition start
    // X=1, I=1 with a 15-bit picture id, then the key frame tag
    expect(vp8StartsKeyframe(Buffer.from([0x90, 0x80, 0x81, 0x23, 0x00]))).toBe(true);
    expect(vp8StartsKeyframe(Buffer.from([0x90, 0x80, 0x81, 0x23, 0x01]))).toBe(false);
  });
});

function packet(sequenceNumber: number, timestamp: number, keyframeStart = false, bytes = 100): ForwardedPacket {
  return { sequenceNumber, timestamp, marker: false, payload: Buffer.alloc(bytes), keyframeStart };
}

describe('GopCache', () => {
  it('holds the packets since the last keyframe, parameter sets and slices of one picture together', () => {
    const cache = new GopCache({ maxPackets: 100, maxBytes: 1_000_000 });
    cache.add(packet(1, 0)); // before any keyframe: useless to a new viewer
    expect(cache.size).toBe(0);
    cache.add(packet(2, 3000, true)); // SPS
    cache.add(packet(3, 3000, true)); // IDR of the same picture
    cache.add(packet(4, 6000));
    expect(cache.snapshot().map((p) => p.sequenceNumber)).toEqual([2, 3, 4]);
    cache.add(packet(5, 9000, true));
    expect(cache.snapshot().map((p) => p.sequenceNumber)).toEqual([5]);
  });

  it('gives up on a GOP that outgrows its bounds until the next keyframe', () => {
    const cache = new GopCache({ maxPackets: 3, maxBytes: 1_000_000 });
    cache.add(packet(1, 0, true));
    cache.add(packet(2, 3000));
    cache.add(packet(3, 6000));
    cache.add(packet(4, 9000));
    expect(cache.size).toBe(0);
    cache.add(packet(5, 12000));
    expect(cache.size).toBe(0);
    cache.add(packet(6, 15000, true));
    expect(cache.size).toBe(1);
    const byBytes = new GopCache({ maxPackets: 100, maxBytes: 250 });
    byBytes.add(packet(1, 0, true));
    byBytes.add(packet(2, 3000));
    byBytes.add(packet(3, 6000));
    expect(byBytes.size).toBe(0);
  });
});

describe('KeyframeRequestLimiter', () => {
  it('sends the first request at once and coalesces the rest into one per interval', () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const sent: number[] = [];
      const limiter = new KeyframeRequestLimiter(1000, () => sent.push(now), () => now);
      limiter.request();
      expect(sent).toEqual([0]);
      for (let t = 100; t < 1000; t += 100) {
        now = t;
        limiter.request();
      }
      expect(sent).toEqual([0]);
      now = 1000;
      vi.advanceTimersByTime(1000);
      expect(sent).toEqual([0, 1000]);
      // A keyframe that arrives while a request waits answers it.
      now = 1200;
      limiter.request();
      limiter.keyframeArrived();
      now = 2000;
      vi.advanceTimersByTime(1000);
      expect(sent).toEqual([0, 1000]);
      now = 2500;
      limiter.request();
      expect(sent).toEqual([0, 1000, 2500]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('codec choice', () => {
  const chromeH264 = (pt: number, parameters: string) =>
    new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, payloadType: pt, parameters });

  it('prefers H.264 in packetization mode 1 from a publisher, else VP8', () => {
    const vp8 = vp8Codec();
    const mode0 = chromeH264(98, 'profile-level-id=42e01f;packetization-mode=0');
    expect(choosePublisherCodec([vp8, mode0, h264Codec()])?.mimeType).toBe('video/H264');
    expect(choosePublisherCodec([vp8, mode0])?.mimeType).toBe('video/VP8');
    expect(choosePublisherCodec([mode0])).toBeUndefined();
  });

  it("gives a viewer the H.264 variant closest to the publisher's profile", () => {
    const offered = [
      chromeH264(102, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f'),
      chromeH264(104, 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f'),
      chromeH264(106, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f'),
      chromeH264(112, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640032'),
    ];
    const publisher = { name: 'h264' as const, parameters: 'profile-level-id=42e01f;packetization-mode=1' };
    expect(chooseViewerCodec(offered, publisher)?.payloadType).toBe(106);
    expect(chooseViewerCodec([offered[0]!, offered[3]!], publisher)?.payloadType).toBe(102);
    expect(chooseViewerCodec([offered[1]!], publisher)).toBeUndefined();
    expect(chooseViewerCodec(offered, { name: 'vp8', parameters: '' })).toBeUndefined();
  });
});
