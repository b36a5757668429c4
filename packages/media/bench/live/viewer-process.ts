/**
 * Simulated viewers: werift peers that join the relay over WHEP (HTTP POST, like a browser) and count what arrives.
 * They run in their own process so that their SRTP decryption does not share the relay's event loop.
 */
import { RTCPeerConnection, type RtpPacket } from 'werift';
import { peerConfig, sdpForIce, type IceOptions } from '../../src/ice.js';
import { waitConnected } from '../../test/support/test-publisher.js';
import { cpuMicros, serveRequests } from './ipc.js';
import type { ViewerCounters, ViewerSnapshot } from './messages.js';

const ICE: IceOptions = { loopbackOnly: true };

/**
 * By default the simulated viewers skip SRTP decryption: the RTP header (all they count) travels in the clear, and
 * on 2 cores a viewer process that decrypts costs as much CPU as the relay itself, so it, not the relay, would set
 * the limit. They still do ICE, DTLS, receiver reports and NACKs like any werift receiver. BENCH_LIVE_DECRYPT=1 makes
 * them decrypt and authenticate every packet.
 */
const DECRYPT = process.env.BENCH_LIVE_DECRYPT === '1';

/** The SRTP auth tag the viewers strip instead of checking (AES-GCM's 16 bytes, or HMAC-SHA1-80's 10). */
interface SrtpLike {
  decrypt(data: Buffer): Buffer;
}

function skipDecryption(pc: RTCPeerConnection): void {
  const transport = pc.getTransceivers()[0]?.dtlsTransport as unknown as { srtp?: SrtpLike; dtls?: { srtp?: { srtpProfile?: number } } } | undefined;
  const srtp = transport?.srtp;
  if (!srtp) return;
  // werift's profile numbers: 1 = AES_CM_128_HMAC_SHA1_80 (10-byte tag), 7 = AEAD_AES_128_GCM (16-byte tag).
  const tagLength = transport?.dtls?.srtp?.srtpProfile === 1 ? 10 : 16;
  srtp.decrypt = (data: Buffer) => data.subarray(0, data.length - tagLength);
}

/** Counts distinct sequence numbers with a 16-bit window, so a retransmitted packet counts once. */
class SequenceCounter implements ViewerCounters {
  unique = 0;
  expected = 0;
  duplicates = 0;
  frames = 0;
  private first: number | undefined;
  private highest = 0; // extended
  private readonly seen = new Int32Array(65536).fill(-1);

  record(packet: RtpPacket): void {
    const seq = packet.header.sequenceNumber;
    if (packet.header.marker) this.frames++;
    let extended: number;
    if (this.first === undefined) {
      this.first = seq;
      extended = seq;
      this.highest = seq;
    } else {
      // The extended number closest to the highest one seen.
      const delta = ((seq - (this.highest & 0xffff) + 0x8000) & 0xffff) - 0x8000;
      extended = this.highest + delta;
      if (extended > this.highest) this.highest = extended;
    }
    const slot = extended & 0xffff;
    if (this.seen[slot] === extended) {
      this.duplicates++;
      return;
    }
    this.seen[slot] = extended;
    this.unique++;
    this.expected = this.highest - this.first + 1;
  }

  snapshot(): ViewerCounters {
    return { unique: this.unique, expected: this.expected, duplicates: this.duplicates, frames: this.frames };
  }
}

const viewers: { pc: RTCPeerConnection; counter: SequenceCounter; location: string }[] = [];

let failedJoins = 0;

/** A join that fails (ICE or DTLS timing out on a loaded machine) is retried with a fresh peer. */
async function joinWithRetry(baseUrl: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await join(baseUrl);
    } catch (error) {
      failedJoins++;
      if (attempt >= 3) throw error;
    }
  }
}

async function join(baseUrl: string): Promise<number> {
  const started = performance.now();
  const pc = new RTCPeerConnection(peerConfig(ICE));
  const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
  const counter = new SequenceCounter();
  transceiver.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((packet) => counter.record(packet)));
  await pc.setLocalDescription(await pc.createOffer());
  const response = await fetch(`${baseUrl}/whep`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: sdpForIce(pc.localDescription?.sdp ?? '', ICE),
  });
  if (response.status !== 201) throw new Error(`WHEP POST answered ${response.status}: ${await response.text()}`);
  const location = new URL(response.headers.get('location') ?? '', baseUrl).toString();
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  try {
    await waitConnected(pc, 30_000);
  } catch (error) {
    await pc.close().catch(() => undefined);
    await fetch(location, { method: 'DELETE' }).catch(() => undefined);
    throw error;
  }
  if (!DECRYPT) skipDecryption(pc);
  viewers.push({ pc, counter, location });
  return performance.now() - started;
}

async function addViewers(baseUrl: string, count: number, concurrency: number): Promise<number[]> {
  const times: number[] = [];
  let left = count;
  const worker = async () => {
    while (left > 0) {
      left--;
      times.push(await joinWithRetry(baseUrl));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return times;
}

serveRequests(async (request) => {
  switch (request.cmd) {
    case 'add-viewers':
      return addViewers(request.url, request.count, request.concurrency);
    case 'snapshot': {
      const snapshot: ViewerSnapshot = { failedJoins, cpuMicros: cpuMicros(), at: performance.now(), viewers: viewers.map((v) => v.counter.snapshot()) };
      return snapshot;
    }
    case 'close':
      setTimeout(() => process.exit(0), 50);
      await Promise.all(viewers.map((v) => v.pc.close().catch(() => undefined)));
      return null;
    default:
      throw new Error(`unknown command ${request.cmd}`);
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
