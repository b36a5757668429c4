import { describe, expect, it } from 'vitest';
import { H264Packetizer, TsDemuxer, TsMuxer, splitAnnexB, type AccessUnit, type DemuxedPicture } from '../../src/index.js';

const nal = (type: number, bytes: number, fill = 0x42) => {
  const unit = Buffer.alloc(bytes, fill);
  unit[0] = 0x60 | type;
  return unit;
};
const annexB = (...units: Buffer[]) => Buffer.concat(units.flatMap((u) => [Buffer.from([0, 0, 0, 1]), u]));

function unit(pts: number, keyframe: boolean, bytes: number, dts = pts): AccessUnit {
  const data = keyframe ? annexB(nal(7, 12), nal(8, 4), nal(5, bytes)) : annexB(nal(1, bytes));
  return { pts, dts, keyframe, data, receivedAt: 0 };
}

function demuxAll(stream: Buffer, chunk: number): DemuxedPicture[] {
  const pictures: DemuxedPicture[] = [];
  const demuxer = new TsDemuxer({ picture: (p) => pictures.push(p) });
  for (let i = 0; i < stream.length; i += chunk) demuxer.push(stream.subarray(i, i + chunk));
  demuxer.flush();
  return pictures;
}

describe('MPEG-TS muxer and demuxer', () => {
  const units = [unit(900_000, true, 70_000), unit(903_000, false, 300, 901_500), unit(906_000, false, 5000), unit(2 ** 33 - 1500, true, 20)];

  it('carry pictures through unchanged, in any chunking, including ones too large for a PES length', () => {
    const muxer = new TsMuxer();
    const stream = Buffer.concat(units.map((u) => muxer.mux(u)));
    expect(stream.length % 188).toBe(0);
    for (const chunk of [188, 1000, 7, stream.length]) {
      const pictures = demuxAll(stream, chunk);
      expect(pictures.map((p) => [p.pts, p.dts, p.keyframe])).toEqual(units.map((u) => [u.pts, u.dts, u.keyframe]));
      pictures.forEach((p, i) => expect(p.data.equals(units[i]!.data)).toBe(true));
    }
  });

  it('hands a picture over as soon as it is complete when its length is known', () => {
    const muxer = new TsMuxer();
    const pictures: DemuxedPicture[] = [];
    const demuxer = new TsDemuxer({ picture: (p) => pictures.push(p) });
    demuxer.push(muxer.mux(unit(0, true, 1000)));
    // No next picture, no flush: the PES length said the picture was whole.
    expect(pictures).toHaveLength(1);
  });

  it('resynchronises after garbage and survives truncated packets', () => {
    const muxer = new TsMuxer();
    const good = Buffer.concat(units.slice(0, 3).map((u) => muxer.mux(u)));
    const stream = Buffer.concat([Buffer.from('not a transport stream'), good, Buffer.alloc(100, 0x47)]);
    const pictures = demuxAll(stream, 500);
    expect(pictures.slice(0, 3).map((p) => p.pts)).toEqual(units.slice(0, 3).map((u) => u.pts));
  });
});

describe('H264Packetizer', () => {
  it('fragments large units (FU-A), marks the last packet of a picture and stamps the pts as RTP timestamp', () => {
    const packetizer = new H264Packetizer({ ssrc: 1234, payloadType: 96, maxPacketSize: 1200 });
    const au = unit(2 ** 32 + 4500, true, 5000);
    const packets = packetizer.packetize(au);
    for (const p of packets) {
      expect(p.length).toBeLessThanOrEqual(1200);
      expect(p.readUInt32BE(4)).toBe(4500);
      expect(p.readUInt32BE(8)).toBe(1234);
    }
    expect(packets.map((p) => (p[1]! & 0x80) !== 0)).toEqual(packets.map((_, i) => i === packets.length - 1));
    const sequences = packets.map((p) => p.readUInt16BE(2));
    sequences.slice(1).forEach((s, i) => expect(s).toBe((sequences[i]! + 1) & 0xffff));
    // SPS and PPS as single NAL packets, then the IDR in fragments that reassemble to the original unit.
    expect(packets[0]![12]! & 0x1f).toBe(7);
    expect(packets[1]![12]! & 0x1f).toBe(8);
    const fragments = packets.slice(2);
    expect(fragments.every((p) => (p[12]! & 0x1f) === 28)).toBe(true);
    const rebuilt = Buffer.concat([Buffer.from([(fragments[0]![12]! & 0xe0) | (fragments[0]![13]! & 0x1f)]), ...fragments.map((p) => p.subarray(14))]);
    expect(rebuilt.equals(splitAnnexB(au.data)[2]!)).toBe(true);
  });

  it('puts the last SPS and PPS in front of a keyframe that lacks them', () => {
    const packetizer = new H264Packetizer({ ssrc: 1, payloadType: 96 });
    packetizer.packetize(unit(0, true, 100));
    const bare = { pts: 3000, dts: 3000, keyframe: true, data: annexB(nal(9, 2), nal(5, 100)), receivedAt: 0 };
    const types = packetizer.packetize(bare).map((p) => p[12]! & 0x1f);
    expect(types).toEqual([7, 8, 5]); // the access unit delimiter is dropped
  });
});
