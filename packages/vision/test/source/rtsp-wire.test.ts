import { describe, expect, it } from 'vitest';
import { encodeInterleaved, RtspWireReader, type RtspWireMessage } from '../support/rtsp-wire.js';

const ANNOUNCE = Buffer.from(
  'ANNOUNCE rtsp://127.0.0.1:8554/cam RTSP/1.0\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: 10\r\n\r\nv=0\r\ns=x\r\n',
);
const OPTIONS = Buffer.from('OPTIONS rtsp://127.0.0.1:8554/cam RTSP/1.0\r\nCSeq: 1\r\n\r\n');
const RTP = encodeInterleaved(0, Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff)));
const RTCP = encodeInterleaved(1, Buffer.from([0x80, 0xc8, 0, 6]));
const STREAM = Buffer.concat([OPTIONS, ANNOUNCE, RTP, RTCP, Buffer.from('\r\n'), OPTIONS]);

function summary(messages: RtspWireMessage[]): string[] {
  return messages.map((m) =>
    m.kind === 'frame'
      ? `$${m.frame.channel}:${m.frame.payload.length}`
      : `${m.request.method} ${m.request.headers.get('cseq')} ${m.request.body.toString()}`,
  );
}

// The test RTSP server (test/support) must cope with TCP splitting and merging messages anywhere.
describe('RtspWireReader', () => {
  const expected = ['OPTIONS 1 ', 'ANNOUNCE 2 v=0\r\ns=x\r\n', '$0:300', '$1:4', 'OPTIONS 1 '];

  it('reads requests with bodies and interleaved frames merged in one chunk', () => {
    expect(summary([...new RtspWireReader().push(STREAM)])).toEqual(expected);
  });

  it('reads the same when every byte arrives alone, or in chunks of any size', () => {
    for (const size of [1, 2, 3, 5, 7, 64, 301]) {
      const reader = new RtspWireReader();
      const messages: RtspWireMessage[] = [];
      for (let i = 0; i < STREAM.length; i += size) messages.push(...reader.push(STREAM.subarray(i, i + size)));
      expect({ size, messages: summary(messages) }).toEqual({ size, messages: expected });
    }
  });

  it('rejects bytes that are not RTSP', () => {
    expect(() => [...new RtspWireReader().push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))]).toThrow(/not an RTSP request/);
  });
});
