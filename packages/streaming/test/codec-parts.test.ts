import { readRtpHeader, vp8StartsKeyframe, Vp8Packetizer, isVp8Keyframe, vp8KeyframeSize, type AccessUnit } from '@sightline/media';
import { Vp8RtpPayload } from 'werift';
import { describe, expect, it } from 'vitest';
import { RefreshHistory } from '../src/capture/refresh-history.js';
import { x11grabArgs, type X11GrabEncoding } from '../src/capture/x11grab-args.js';
import { captureEncoderOf, detectEncoders, IvfReader, outputSize, parseEncoderList, type IvfFrame, type IvfHeader } from '../src/index.js';
import { framesFromRtp } from './support/vp8-rtp.js';

/** A VP8 key frame's first ten bytes (frame tag, start code, 320×180) and some filler. */
function vp8Keyframe(size: number): Buffer {
  const frame = Buffer.alloc(size, 0xab);
  Buffer.from([0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4, 0x00]).copy(frame);
  return frame;
}

function vp8Interframe(size: number): Buffer {
  const frame = Buffer.alloc(size, 0xcd);
  frame[0] = 0x31; // P bit set: an inter frame
  return frame;
}

function ivfStream(frames: { pts: bigint; data: Buffer }[]): Buffer {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0, 'latin1');
  header.writeUInt16LE(32, 6);
  header.write('VP80', 8, 'latin1');
  header.writeUInt16LE(320, 12);
  header.writeUInt16LE(180, 14);
  header.writeUInt32LE(90_000, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(0xffffffff, 24);
  const parts = [header];
  for (const { pts, data } of frames) {
    const head = Buffer.alloc(12);
    head.writeUInt32LE(data.length, 0);
    head.writeBigUInt64LE(pts, 4);
    parts.push(head, data);
  }
  return Buffer.concat(parts);
}

describe('IvfReader', () => {
  const input = [
    // A wall-clock pts on the 90 kHz clock, as ffmpeg writes it with -copyts: far beyond 32 bits.
    { pts: 161_601_532_823_216n, data: vp8Keyframe(137) },
    { pts: 161_601_532_826_216n, data: vp8Interframe(1) },
    { pts: 161_601_532_829_216n, data: vp8Interframe(3000) },
  ];
  const stream = ivfStream(input);

  function read(chunks: Buffer[]): { header: IvfHeader | undefined; frames: IvfFrame[]; errors: string[] } {
    const frames: IvfFrame[] = [];
    const errors: string[] = [];
    let header: IvfHeader | undefined;
    const reader = new IvfReader({ header: (h) => (header = h), frame: (f) => frames.push(f), error: (e) => errors.push(e.message) });
    for (const chunk of chunks) reader.push(chunk);
    return { header, frames, errors };
  }

  it('reads the header and every frame with its pts, whole or byte by byte', () => {
    for (const chunks of [[stream], [...stream].map((byte) => Buffer.from([byte])), [stream.subarray(0, 40), stream.subarray(40, 200), stream.subarray(200)]]) {
      const { header, frames, errors } = read(chunks);
      expect(errors).toEqual([]);
      expect(header).toEqual({ fourcc: 'VP80', width: 320, height: 180, timebaseDen: 90_000, timebaseNum: 1 });
      expect(frames.map((f) => f.pts)).toEqual(input.map((f) => Number(f.pts)));
      expect(frames.map((f) => f.data)).toEqual(input.map((f) => f.data));
    }
  });

  it('hands a frame over as soon as its last byte is there', () => {
    const frames: IvfFrame[] = [];
    const reader = new IvfReader({ frame: (f) => frames.push(f) });
    const endOfFirst = 32 + 12 + 137;
    reader.push(stream.subarray(0, endOfFirst - 1));
    expect(frames).toHaveLength(0);
    reader.push(stream.subarray(endOfFirst - 1, endOfFirst));
    expect(frames).toHaveLength(1);
  });

  it('refuses what is not IVF', () => {
    const { frames, errors } = read([Buffer.from('G'.repeat(64))]);
    expect(frames).toEqual([]);
    expect(errors).toEqual(['not an IVF stream']);
  });
});

describe('Vp8Packetizer (RFC 7741)', () => {
  const unit = (data: Buffer, pts: number, keyframe: boolean): AccessUnit => ({ pts, dts: pts, keyframe, data, receivedAt: 0, codec: 'vp8' });

  it('splits frames into even packets with S and partition 0 on the first, the marker on the last, a 15-bit PictureID', () => {
    const packetizer = new Vp8Packetizer({ ssrc: 0x1234, payloadType: 97, maxPacketSize: 1200 });
    const firstPictureId = packetizer.nextPictureId;
    const key = packetizer.packetize(unit(vp8Keyframe(3000), 2 ** 40 + 5, true));
    const inter = packetizer.packetize(unit(vp8Interframe(500), 2 ** 40 + 3005, false));
    expect(key).toHaveLength(3);
    expect(inter).toHaveLength(1);
    const all = [...key, ...inter];
    all.forEach((packet, i) => {
      const header = readRtpHeader(packet)!;
      expect(packet.length).toBeLessThanOrEqual(1200);
      expect(header.payloadType).toBe(97);
      expect(header.ssrc).toBe(0x1234);
      expect(header.sequenceNumber).toBe((readRtpHeader(all[0]!)!.sequenceNumber + i) & 0xffff);
      expect(header.marker).toBe(i === 2 || i === 3);
      const descriptor = packet.subarray(12, 16);
      expect(descriptor[0]).toBe(i === 0 || i === 3 ? 0x90 : 0x80); // X, S on a frame's first packet, PID 0
      expect(descriptor[1]).toBe(0x80); // I: PictureID present
      expect(descriptor.readUInt16BE(2) & 0x8000).toBe(0x8000); // 15-bit form
      expect(descriptor.readUInt16BE(2) & 0x7fff).toBe((firstPictureId + (i < 3 ? 0 : 1)) & 0x7fff);
    });
    expect(readRtpHeader(key[0]!)!.timestamp).toBe((2 ** 40 + 5) % 2 ** 32);
    // About equal sizes: 3000 bytes in three packets of 1000.
    expect(key.map((packet) => packet.length - 16)).toEqual([1000, 1000, 1000]);

    // The relay's keyframe detection and werift's depacketizer read it back.
    expect(key.map((packet) => vp8StartsKeyframe(packet.subarray(12)))).toEqual([true, false, false]);
    expect(vp8StartsKeyframe(inter[0]!.subarray(12))).toBe(false);
    const parsed = Vp8RtpPayload.deSerialize(key[0]!.subarray(12));
    expect(parsed.isKeyframe).toBe(true);
    expect(parsed.pictureId).toBe(firstPictureId);
    const frames = framesFromRtp(all);
    expect(frames.map((f) => f.data)).toEqual([vp8Keyframe(3000), vp8Interframe(500)]);
    expect(frames.map((f) => f.keyframe)).toEqual([true, false]);
  });

  it('without PictureID: a one-byte descriptor; PictureID wraps at 2^15', () => {
    const plain = new Vp8Packetizer({ ssrc: 1, payloadType: 96, pictureId: false });
    const [packet] = plain.packetize(unit(vp8Keyframe(100), 0, true));
    expect(packet!.length).toBe(12 + 1 + 100);
    expect(packet![12]).toBe(0x10);
    expect(vp8StartsKeyframe(packet!.subarray(12))).toBe(true);

    const wrapping = new Vp8Packetizer({ ssrc: 1, payloadType: 96 });
    const ids: number[] = [];
    for (let i = 0; i < 0x8001; i++) ids.push(wrapping.packetize(unit(vp8Interframe(10), i, false))[0]!.readUInt16BE(14) & 0x7fff);
    expect(ids[0x8000]).toBe(ids[0]);
  });

  it('knows key frames and their size', () => {
    expect(isVp8Keyframe(vp8Keyframe(20))).toBe(true);
    expect(isVp8Keyframe(vp8Interframe(20))).toBe(false);
    expect(vp8KeyframeSize(vp8Keyframe(20))).toEqual({ width: 320, height: 180 });
  });
});

describe('capture arguments', () => {
  const base: X11GrabEncoding = { display: ':5', width: 1280, height: 720, fps: 30, bitrateKbps: 2000, refreshFrames: 7, drawCursor: false };

  it('VP8: libvpx realtime into IVF with the grab clock; H.264 unchanged; a scale-down keeps the width even', () => {
    const vp8 = x11grabArgs({ ...base, codec: 'vp8', keyframeIntervalFrames: 1800 }).join(' ');
    expect(vp8).toContain('-c:v libvpx -deadline realtime -cpu-used 8 -lag-in-frames 0 -error-resilient 1');
    expect(vp8).toContain('-b:v 2000k -minrate 2000k -maxrate 2000k -bufsize 400k');
    expect(vp8).toContain('-g 1800 -keyint_min 1800');
    expect(vp8).toContain('-copyts -vsync passthrough -enc_time_base 1:90000 -f ivf');
    expect(vp8).not.toContain('-vf');
    const h264 = x11grabArgs(base).join(' ');
    expect(h264).toContain('-c:v libx264 -preset ultrafast -tune zerolatency');
    expect(h264).toContain('intra-refresh=1:keyint=7');
    expect(h264).toContain('-f mpegts');
    expect(x11grabArgs({ ...base, outputHeight: 360 }).join(' ')).toContain('-vf scale=640:360:flags=bilinear -pix_fmt yuv420p');
    expect(outputSize({ width: 1366, height: 768, outputHeight: 361 })).toEqual({ width: 644, height: 362 });
    expect(outputSize({ width: 1280, height: 720, outputHeight: 1080 })).toEqual({ width: 1280, height: 720 });
    expect(x11grabArgs({ ...base, encoder: 'h264_nvenc' }).join(' ')).toContain('-c:v h264_nvenc -preset p1 -tune ull');
    // VAAPI: the render node before the input, the picture converted and uploaded (after any scale), no -pix_fmt.
    const vaapi = x11grabArgs({ ...base, encoder: 'h264_vaapi', outputHeight: 360 });
    expect(vaapi.join(' ')).toContain('-vaapi_device /dev/dri/renderD128');
    expect(vaapi.indexOf('-vaapi_device')).toBeLessThan(vaapi.indexOf('-i'));
    expect(vaapi.join(' ')).toContain('-vf scale=640:360:flags=bilinear,format=nv12,hwupload -c:v h264_vaapi -profile:v constrained_baseline -bf 0');
    expect(vaapi).not.toContain('-pix_fmt');
    expect(x11grabArgs({ ...base, encoder: 'h264_vaapi', vaapiDevice: '/dev/dri/renderD129' }).join(' ')).toContain('-vaapi_device /dev/dri/renderD129 ');
    expect(() => captureEncoderOf({ codec: 'vp8', encoder: 'libx264' })).toThrow();
    expect(captureEncoderOf({ codec: 'vp8' })).toBe('libvpx');
  });
});

describe('RefreshHistory with a span limit (VP8: no sweeps)', () => {
  const unit = (pts: number, keyframe = false): AccessUnit => ({ pts, dts: pts, keyframe, data: Buffer.alloc(10), receivedAt: 0 });

  it('keeps the last key frame and what follows for at most the span, then waits for the next key frame', () => {
    const history = new RefreshHistory(1 << 20, 90_000);
    history.push(unit(0, true), false);
    history.push(unit(45_000), false);
    history.push(unit(90_000), false);
    expect(history.snapshot().map((u) => u.pts)).toEqual([0, 45_000, 90_000]);
    history.push(unit(93_000), false);
    expect(history.snapshot()).toEqual([]);
    history.push(unit(96_000), false);
    expect(history.snapshot()).toEqual([]);
    history.push(unit(99_000, true), false);
    expect(history.snapshot().map((u) => u.pts)).toEqual([99_000]);
  });
});

describe('encoder detection', () => {
  it('parses ffmpeg -encoders', () => {
    const names = parseEncoderList(
      ['Encoders:', ' V..... = Video', ' ------', ' V....D libx264              libx264 H.264', ' V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)', ' A....D aac  AAC'].join('\n'),
    );
    expect([...names]).toEqual(['libx264', 'h264_nvenc', 'aac']);
  });

  it('finds libx264 and libvpx here; NVENC and VAAPI are listed by ffmpeg but not usable, each with a reason', async () => {
    const detection = await detectEncoders({ refresh: true });
    console.log(`detection in ${detection.tookMs} ms:`, JSON.stringify(detection.usable), detection.unusable.map((u) => `${u.encoder}: ${u.reason}`).join('; '));
    expect(detection.usable).toEqual([
      { name: 'h264', encoder: 'libx264', hardware: false },
      { name: 'vp8', encoder: 'libvpx', hardware: false },
    ]);
    const nvenc = detection.unusable.find((u) => u.encoder === 'h264_nvenc');
    const vaapi = detection.unusable.find((u) => u.encoder === 'h264_vaapi');
    expect(nvenc?.hardware).toBe(true);
    expect(nvenc?.reason).toMatch(/trial encode failed|not built/);
    expect(vaapi?.reason).toMatch(/render node|trial encode failed|not built/);
    // Cached per ffmpeg path: the same answer without running ffmpeg again.
    const again = detectEncoders();
    expect(again).toBe(detectEncoders());
    expect(await again).toBe(detection);
    // An ffmpeg that is not there: a rejection, not cached.
    await expect(detectEncoders({ ffmpegPath: '/nonexistent/ffmpeg' })).rejects.toThrow(/cannot list/);
  });
});
