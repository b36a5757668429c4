import { createCipheriv, createHmac, type Cipher } from 'node:crypto';

/** The SRTP protection profiles (RFC 5764, RFC 7714) with werift's numbering, which is the DTLS use_srtp code. */
export const SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001;
export const SRTP_AEAD_AES_128_GCM = 0x0007;

/** The session keys of one direction, already derived from the DTLS master keys (RFC 3711 §4.3). */
export interface SrtpSessionKeys {
  profile: number;
  /** 16 bytes. */
  key: Buffer;
  /** 14 bytes for AES-CM, 12 for GCM (werift keeps 14; only the first 12 count for GCM). */
  salt: Buffer;
  /** 20 bytes, HMAC-SHA1 profiles only. */
  authKey: Buffer;
}

/**
 * The wire pieces of one protected packet, sent with one gather `send` so that nothing is concatenated:
 * `[header, encrypted payload, tag]`. The protector fills [1] and [2]; [0] is the caller's header.
 */
export type ProtectedPieces = [header: Buffer, body: Buffer, tag: Buffer];

/** Encrypts and authenticates RTP packets for one SSRC of one SRTP session. */
export interface SrtpProtector {
  readonly profile: number;
  /**
   * Protects `payload` behind `pieces[0]` (the serialized RTP header, the AEAD's additional data) and puts the
   * ciphertext and tag into `pieces[1]` and `pieces[2]`. `roc` is the rollover counter of `sequenceNumber`.
   */
  protect(pieces: ProtectedPieces, payload: Buffer, ssrc: number, sequenceNumber: number, roc: number): void;
}

const EMPTY = Buffer.alloc(0);

/**
 * AEAD_AES_128_GCM (RFC 7714). Node cannot rekey or re-IV a GCM context, so a cipher object per packet is the
 * floor; what is avoided is everything around it: the IV is written into one buffer (createCipheriv copies it), the
 * header is not serialized again, and nothing is concatenated (the pieces are sent as they are).
 */
export class GcmSrtpProtector implements SrtpProtector {
  readonly profile = SRTP_AEAD_AES_128_GCM;
  private readonly iv = Buffer.alloc(12);

  constructor(private readonly keys: SrtpSessionKeys) {}

  protect(pieces: ProtectedPieces, payload: Buffer, ssrc: number, sequenceNumber: number, roc: number): void {
    // RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt.
    const iv = this.iv;
    const salt = this.keys.salt;
    iv.writeUInt16BE(0, 0);
    iv.writeUInt32BE(ssrc >>> 0, 2);
    iv.writeUInt32BE(roc >>> 0, 6);
    iv.writeUInt16BE(sequenceNumber, 10);
    for (let i = 0; i < 12; i++) iv[i] = (iv[i] ?? 0) ^ (salt[i] ?? 0);
    const cipher = createCipheriv('aes-128-gcm', this.keys.key, iv);
    cipher.setAAD(pieces[0]);
    pieces[1] = cipher.update(payload);
    cipher.final();
    pieces[2] = cipher.getAuthTag();
  }
}

/** Counter blocks for up to this many payload bytes are kept ready; longer payloads grow the buffer once. */
const INITIAL_KEYSTREAM_BYTES = 1504;
/** HMAC-SHA1-80: the first 10 bytes of the HMAC. */
const HMAC_SHA1_80_TAG_LENGTH = 10;

/**
 * AES_CM_128_HMAC_SHA1_80 (RFC 3711). The keystream is AES of counter blocks, so one AES-ECB context made once per
 * key turns a packet's counter blocks into its keystream in one native call (no createCipheriv per packet). The
 * keystream buffer Node returns is fresh, so the payload is XORed into it in place and the tag written after it: one
 * buffer carries ciphertext and tag. HMAC keys cannot be reused in node:crypto, so the HMAC is one object per packet.
 */
export class CmHmacSrtpProtector implements SrtpProtector {
  readonly profile = SRTP_AES128_CM_HMAC_SHA1_80;
  private readonly ecb: Cipher;
  private counters = Buffer.alloc(0);
  /** counterViews[n]: the first n counter blocks, made once per block count. */
  private counterViews: Buffer[] = [];
  private readonly rocBytes = Buffer.alloc(4);

  constructor(private readonly keys: SrtpSessionKeys) {
    this.ecb = createCipheriv('aes-128-ecb', keys.key, null);
    this.ecb.setAutoPadding(false);
    this.growCounters(INITIAL_KEYSTREAM_BYTES);
  }

  protect(pieces: ProtectedPieces, payload: Buffer, ssrc: number, sequenceNumber: number, roc: number): void {
    const length = payload.length;
    const blocks = Math.ceil((length + HMAC_SHA1_80_TAG_LENGTH) / 16);
    if (blocks * 16 > this.counters.length) this.growCounters(blocks * 16);
    // RFC 3711 §4.1.1: IV = (salt << 16) XOR (SSRC << 64) XOR (index << 16); block j adds j in the low 16 bits, which
    // the IV leaves zero. Bytes 4..7 (SSRC) were written when the SSRC first came; only ROC and SEQ change.
    const salt = this.keys.salt;
    const counters = this.counters;
    const s4 = (salt[4] ?? 0) ^ ((ssrc >>> 24) & 0xff);
    const s5 = (salt[5] ?? 0) ^ ((ssrc >>> 16) & 0xff);
    const s6 = (salt[6] ?? 0) ^ ((ssrc >>> 8) & 0xff);
    const s7 = (salt[7] ?? 0) ^ (ssrc & 0xff);
    const s8 = (salt[8] ?? 0) ^ ((roc >>> 24) & 0xff);
    const s9 = (salt[9] ?? 0) ^ ((roc >>> 16) & 0xff);
    const s10 = (salt[10] ?? 0) ^ ((roc >>> 8) & 0xff);
    const s11 = (salt[11] ?? 0) ^ (roc & 0xff);
    const s12 = (salt[12] ?? 0) ^ (sequenceNumber >>> 8);
    const s13 = (salt[13] ?? 0) ^ (sequenceNumber & 0xff);
    for (let offset = 0; offset < blocks * 16; offset += 16) {
      counters[offset + 4] = s4;
      counters[offset + 5] = s5;
      counters[offset + 6] = s6;
      counters[offset + 7] = s7;
      counters[offset + 8] = s8;
      counters[offset + 9] = s9;
      counters[offset + 10] = s10;
      counters[offset + 11] = s11;
      counters[offset + 12] = s12;
      counters[offset + 13] = s13;
    }
    const out = this.ecb.update(this.counterView(blocks));
    for (let i = 0; i < length; i++) out[i] = (out[i] ?? 0) ^ (payload[i] ?? 0);
    const body = out.subarray(0, length);
    this.rocBytes.writeUInt32BE(roc >>> 0, 0);
    const mac = createHmac('sha1', this.keys.authKey).update(pieces[0]).update(body).update(this.rocBytes).digest();
    mac.copy(out, length, 0, HMAC_SHA1_80_TAG_LENGTH);
    pieces[1] = out.subarray(0, length + HMAC_SHA1_80_TAG_LENGTH);
    pieces[2] = EMPTY;
  }

  private counterView(blocks: number): Buffer {
    let view = this.counterViews[blocks];
    if (!view) {
      view = this.counters.subarray(0, blocks * 16);
      this.counterViews[blocks] = view;
    }
    return view;
  }

  /** Counter blocks whose bytes 0..3 and the salt's other constant bytes are set; 14..15 hold the block number. */
  private growCounters(bytes: number): void {
    const blocks = Math.ceil(bytes / 16);
    const counters = Buffer.alloc(blocks * 16);
    for (let j = 0; j < blocks; j++) {
      const offset = j * 16;
      for (let i = 0; i < 4; i++) counters[offset + i] = this.keys.salt[i] ?? 0;
      counters.writeUInt16BE(j, offset + 14);
    }
    this.counters = counters;
    this.counterViews = [];
  }
}

/** The protector for a negotiated profile, or undefined for one this module does not implement. */
export function createSrtpProtector(keys: SrtpSessionKeys): SrtpProtector | undefined {
  if (keys.key.length !== 16) return undefined;
  if (keys.profile === SRTP_AEAD_AES_128_GCM && keys.salt.length >= 12) return new GcmSrtpProtector(keys);
  if (keys.profile === SRTP_AES128_CM_HMAC_SHA1_80 && keys.salt.length >= 14 && keys.authKey.length === 20) {
    return new CmHmacSrtpProtector(keys);
  }
  return undefined;
}
