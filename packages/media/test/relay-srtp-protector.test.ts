import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RtpHeader, SrtpSession } from 'werift';
import { RolloverCounter } from '../src/relay/fast-path/rollover-counter.js';
import { RTP_HEADER_LENGTH, SentPacketRing, writeRtpHeader } from '../src/relay/fast-path/sent-packet-ring.js';
import {
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  createSrtpProtector,
  type ProtectedPieces,
} from '../src/relay/fast-path/srtp-protector.js';
import { localSrtpKeys } from '../src/relay/fast-path/werift-access.js';

const SSRC = 0x8badf00d;
const PAYLOAD_TYPE = 102;

/** A werift SRTP session with random master keys, and our protector built from the session keys werift derived. */
function sessionPair(profile: number) {
  const saltLength = profile === SRTP_AEAD_AES_128_GCM ? 12 : 14;
  const werift = new SrtpSession({
    profile: profile as 1 | 7,
    keys: {
      localMasterKey: randomBytes(16),
      localMasterSalt: randomBytes(saltLength),
      remoteMasterKey: randomBytes(16),
      remoteMasterSalt: randomBytes(saltLength),
    },
  });
  const keys = localSrtpKeys({ srtp: werift } as never);
  if (!keys) throw new Error('no keys');
  const protector = createSrtpProtector(keys);
  if (!protector) throw new Error(`no protector for profile ${profile}`);
  return { werift, protector };
}

function protectBoth(profile: number, packets: { seq: number; timestamp: number; marker: boolean; payload: Buffer }[]) {
  const { werift, protector } = sessionPair(profile);
  const roc = new RolloverCounter();
  return packets.map(({ seq, timestamp, marker, payload }) => {
    const header = Buffer.alloc(RTP_HEADER_LENGTH);
    writeRtpHeader(header, PAYLOAD_TYPE, marker, seq, timestamp, SSRC);
    const pieces: ProtectedPieces = [header, header, header];
    protector.protect(pieces, payload, SSRC, seq, roc.next(seq));
    const theirs = werift.encrypt(payload, new RtpHeader({ payloadType: PAYLOAD_TYPE, marker, sequenceNumber: seq, timestamp, ssrc: SSRC }));
    return { ours: Buffer.concat(pieces), theirs };
  });
}

describe.each([
  ['AEAD_AES_128_GCM', SRTP_AEAD_AES_128_GCM],
  ['AES_CM_128_HMAC_SHA1_80', SRTP_AES128_CM_HMAC_SHA1_80],
])('SRTP protection (%s) against werift', (_name, profile) => {
  it('produces the same bytes as werift for the same keys and packet', () => {
    // Sizes around block and tag boundaries, an empty payload, one longer than the prepared keystream.
    const sizes = [0, 1, 5, 6, 15, 16, 17, 22, 100, 1180, 1200, 1500, 3000];
    const packets = sizes.map((size, i) => ({ seq: 1000 + i, timestamp: 90_000 * i, marker: i % 3 === 0, payload: randomBytes(size) }));
    for (const { ours, theirs } of protectBoth(profile, packets)) expect(ours.equals(theirs)).toBe(true);
  });

  it('keeps matching across a sequence number wrap (rollover counter)', () => {
    const packets = [65533, 65534, 65535, 0, 1, 2].map((seq, i) => ({ seq, timestamp: 3000 * i, marker: false, payload: randomBytes(900) }));
    for (const { ours, theirs } of protectBoth(profile, packets)) expect(ours.equals(theirs)).toBe(true);
  });

  it('is decrypted by a werift receiver with the matching keys', () => {
    const { werift, protector } = sessionPair(profile);
    const keys = werift.config.keys;
    const receiver = new SrtpSession({
      profile: profile as 1 | 7,
      keys: { localMasterKey: keys.remoteMasterKey, localMasterSalt: keys.remoteMasterSalt, remoteMasterKey: keys.localMasterKey, remoteMasterSalt: keys.localMasterSalt },
    });
    const payload = randomBytes(777);
    const header = Buffer.alloc(RTP_HEADER_LENGTH);
    writeRtpHeader(header, PAYLOAD_TYPE, true, 4242, 123_456, SSRC);
    const pieces: ProtectedPieces = [header, header, header];
    protector.protect(pieces, payload, SSRC, 4242, 0);
    const plain = receiver.decrypt(Buffer.concat(pieces));
    expect(plain.subarray(RTP_HEADER_LENGTH).equals(payload)).toBe(true);
    expect(plain.subarray(0, RTP_HEADER_LENGTH).equals(header)).toBe(true);
  });
});

describe('SRTP protector choice', () => {
  it('has no protector for a profile it does not implement', () => {
    expect(createSrtpProtector({ profile: 0x0008, key: randomBytes(16), salt: randomBytes(12), authKey: Buffer.alloc(0) })).toBeUndefined();
  });
});

describe('SentPacketRing', () => {
  it('finds the packets it still holds and reuses each slot header', () => {
    const ring = new SentPacketRing(4);
    const first = ring.claim(10, false);
    expect(ring.find(10)).toBe(first);
    ring.claim(14, false); // the same slot, four packets later
    expect(ring.find(10)).toBeUndefined();
    expect(ring.find(14)?.pieces[0]).toBe(first.ownHeader);
    // A burst gets a header of its own, so it cannot overwrite one not yet sent.
    expect(ring.claim(18, true).pieces[0]).not.toBe(first.ownHeader);
  });
});
