import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import {
  LiveRelay,
  MediaSignallingError,
  WhipWhepSessions,
  peerConfig,
  readSdpOffer,
  signallingErrorResponse,
  vp8Codec,
  type SignallingResponse,
} from '../src/index.js';
import { LOOPBACK_ICE } from './support/test-publisher.js';

const SDP = 'application/sdp';
const peers: RTCPeerConnection[] = [];

async function offer(direction: 'sendonly' | 'recvonly', codecs?: ReturnType<typeof vp8Codec>[]): Promise<string> {
  const config = peerConfig(LOOPBACK_ICE);
  const pc = new RTCPeerConnection(codecs ? { ...config, codecs: { video: codecs } } : config);
  peers.push(pc);
  pc.addTransceiver('video', { direction });
  await pc.setLocalDescription(await pc.createOffer());
  return pc.localDescription!.sdp;
}

function rejection(run: () => unknown): MediaSignallingError {
  try {
    run();
  } catch (error) {
    if (error instanceof MediaSignallingError) return error;
    throw error;
  }
  throw new Error('expected a MediaSignallingError');
}

async function rejectionOf(run: () => Promise<unknown>): Promise<MediaSignallingError> {
  const error: unknown = await run().then(
    () => new Error('expected a MediaSignallingError'),
    (e: unknown) => e,
  );
  if (error instanceof MediaSignallingError) return error;
  throw error;
}

afterAll(async () => {
  await Promise.all(peers.map((pc) => pc.close()));
});

describe('readSdpOffer', () => {
  const minimal = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\n';

  it('accepts an SDP offer with a video section going the right way', () => {
    expect(readSdpOffer('application/sdp; charset=utf-8', Buffer.from(minimal), 'receive')).toBe(minimal);
    expect(readSdpOffer('Application/SDP', minimal.replace('a=recvonly', 'a=sendrecv'), 'send')).toContain('m=video');
    // No direction attribute means sendrecv.
    expect(readSdpOffer(SDP, minimal.replace('a=recvonly\r\n', ''), 'send')).toContain('m=video');
  });

  it('refuses other content types, oversized bodies and non-SDP with clear errors', () => {
    expect(rejection(() => readSdpOffer('application/json', minimal, 'receive'))).toMatchObject({ status: 415, code: 'unsupported-media-type' });
    expect(rejection(() => readSdpOffer(undefined, minimal, 'receive'))).toMatchObject({ status: 415 });
    expect(rejection(() => readSdpOffer(SDP, minimal, 'receive', 10))).toMatchObject({ status: 413, code: 'offer-too-large' });
    expect(rejection(() => readSdpOffer(SDP, undefined, 'receive'))).toMatchObject({ status: 400, code: 'invalid-sdp' });
    expect(rejection(() => readSdpOffer(SDP, '{"sdp":"v=0"}', 'receive'))).toMatchObject({ status: 400, code: 'invalid-sdp' });
    expect(rejection(() => readSdpOffer(SDP, 'v=0\r\ns=-\r\n', 'receive'))).toMatchObject({ status: 400, code: 'invalid-sdp' });
  });

  it('refuses offers without video in the needed direction', () => {
    const audioOnly = minimal.replace('m=video', 'm=audio');
    expect(rejection(() => readSdpOffer(SDP, audioOnly, 'receive'))).toMatchObject({ status: 400, code: 'no-video' });
    const error = rejection(() => readSdpOffer(SDP, minimal, 'send'));
    expect(error).toMatchObject({ status: 400, code: 'no-video' });
    expect(error.message).toMatch(/sendonly or sendrecv/);
    expect(rejection(() => readSdpOffer(SDP, minimal.replace('a=recvonly', 'a=sendonly'), 'receive')).message).toMatch(/recvonly/);
  });
});

describe('WhipWhepSessions', () => {
  let relay: LiveRelay;
  let sessions: WhipWhepSessions;

  beforeEach(() => {
    relay = new LiveRelay({ id: 'cam-7', ice: LOOPBACK_ICE });
    sessions = new WhipWhepSessions({ resourceLocation: ({ kind, relayId, resourceId }) => `/media/${relayId}/${kind}/${resourceId}` });
  });

  afterEach(async () => {
    await relay.close();
  });

  function resourceId(response: SignallingResponse): string {
    return response.headers.location!.split('/').at(-1)!;
  }

  it('answers WHIP and WHEP offers with 201, the answer and a Location, and ends sessions on DELETE', async () => {
    const published = await sessions.publish(relay, { contentType: SDP, body: await offer('sendonly') });
    expect(published.status).toBe(201);
    expect(published.headers['content-type']).toBe(SDP);
    expect(published.headers.location).toMatch(/^\/media\/cam-7\/whip\/[0-9a-f-]{36}$/);
    expect(published.body).toMatch(/^v=0\r\n/);
    expect(published.body).toMatch(/a=recvonly/);
    expect(published.body).not.toMatch(/a=candidate:\S+ \d \S+ \d+ (?!127\.0\.0\.1 )/); // loopback candidates only

    const viewed = await sessions.view(relay, { contentType: SDP, body: Buffer.from(await offer('recvonly')) });
    expect(viewed.status).toBe(201);
    expect(viewed.headers.location).toMatch(/\/whep\//);
    expect(viewed.body).toMatch(/a=sendonly/);
    expect(viewed.body).toMatch(/H264/);
    expect(relay.viewerCount).toBe(1);
    expect(sessions.session(resourceId(viewed))).toEqual({ resourceId: resourceId(viewed), kind: 'whep', relayId: 'cam-7' });
    expect(sessions.size).toBe(2);

    expect(await sessions.remove(resourceId(viewed))).toMatchObject({ status: 200 });
    expect(relay.viewerCount).toBe(0);
    expect(await sessions.remove(resourceId(published))).toMatchObject({ status: 200 });
    expect(sessions.size).toBe(0);
    expect(await rejectionOf(() => sessions.remove(resourceId(viewed)))).toMatchObject({ status: 404, code: 'unknown-resource' });
    expect(await rejectionOf(() => sessions.remove('../etc/passwd'))).toMatchObject({ status: 404 });
    expect(sessions.session('not-an-id')).toBeUndefined();
  });

  it('forgets the old publisher session when a new publisher takes over', async () => {
    const first = await sessions.publish(relay, { contentType: SDP, body: await offer('sendonly') });
    const second = await sessions.publish(relay, { contentType: SDP, body: await offer('sendonly') });
    expect(sessions.session(resourceId(first))).toBeUndefined();
    expect(sessions.session(resourceId(second))?.kind).toBe('whip');
    // A late DELETE from the replaced publisher cannot remove the new one.
    expect(await rejectionOf(() => sessions.remove(resourceId(first)))).toMatchObject({ status: 404 });
  });

  it('forgets a viewer session when the relay drops the viewer by itself', async () => {
    const impatient = new LiveRelay({ id: 'cam-8', ice: LOOPBACK_ICE, connectTimeoutMs: 300 });
    try {
      // The offerer never connects, so the relay gives up on it after connectTimeoutMs.
      const viewed = await sessions.view(impatient, { contentType: SDP, body: await offer('recvonly') });
      expect(sessions.session(resourceId(viewed))?.relayId).toBe('cam-8');
      const removed = new Promise<string>((resolve) => impatient.once('viewer-removed', resolve));
      await removed;
      expect(impatient.viewerCount).toBe(0);
      expect(sessions.session(resourceId(viewed))).toBeUndefined();
      expect(sessions.size).toBe(0);
    } finally {
      await impatient.close();
    }
  });

  it('turns negotiation failures into 4xx and 5xx errors', async () => {
    // A VP8-only viewer cannot receive the H.264 the relay carries.
    const vp8Only = await offer('recvonly', [vp8Codec()]);
    expect(await rejectionOf(() => sessions.view(relay, { contentType: SDP, body: vp8Only }))).toMatchObject({
      status: 400,
      code: 'no-common-codec',
    });
    // Looks like SDP, but werift cannot apply it.
    const broken = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\n';
    expect(await rejectionOf(() => sessions.view(relay, { contentType: SDP, body: broken }))).toMatchObject({ status: 400 });
    expect(relay.viewerCount).toBe(0);
    await relay.close();
    expect(await rejectionOf(async () => sessions.view(relay, { contentType: SDP, body: await offer('recvonly') }))).toMatchObject({
      status: 503,
      code: 'relay-closed',
    });
  });

  it('renders errors as JSON responses', () => {
    const known = signallingErrorResponse(new MediaSignallingError(415, 'unsupported-media-type', 'send SDP'));
    expect(known).toEqual({
      status: 415,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: { code: 'unsupported-media-type', message: 'send SDP' } }),
    });
    const unknown = signallingErrorResponse(new Error('secret internals'));
    expect(unknown.status).toBe(500);
    expect(unknown.body).not.toContain('secret');
  });
});
