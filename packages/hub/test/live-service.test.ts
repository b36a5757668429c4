import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Media from '@sightline/media';
import type { LiveRelay } from '@sightline/media';
import { MediaTokens } from '../src/auth/media-token.js';
import { LiveService, hlsDirOf } from '../src/live/live-service.js';
import type { CameraRow, DeviceRow, Store } from '../src/store/store.js';

// Every relay the service creates, so a test can tell whether two requests shared one.
const relays = vi.hoisted(() => [] as LiveRelay[]);
vi.mock('@sightline/media', async (importOriginal) => {
  const media = await importOriginal<typeof Media>();
  class RecordedRelay extends media.LiveRelay {
    constructor(...args: ConstructorParameters<typeof media.LiveRelay>) {
      super(...args);
      relays.push(this);
    }
  }
  return { ...media, LiveRelay: RecordedRelay };
});

/** A store with one camera on one online device, answering after a tick as a real database would. */
function storeWithCamera(cameraId: string): Store {
  const camera = { id: cameraId, deviceId: 'edge-1', config: { id: cameraId }, createdAt: 0, updatedAt: 0 } as unknown as CameraRow;
  const device = { id: 'edge-1', online: true } as unknown as DeviceRow;
  const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 5));
  return { getCamera: () => later(camera), getDevice: () => later(device) } as unknown as Store;
}

describe('live service', () => {
  const dirs: string[] = [];
  afterEach(() => {
    relays.splice(0);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps every camera\'s HLS directory inside the HLS root, whatever the camera id', () => {
    const root = join(tmpdir(), 'hls-root');
    for (const id of ['cam-1', '.', '..', '...', 'a.b']) expect(dirname(hlsDirOf(root, id))).toBe(root);
    expect(hlsDirOf(root, 'cam-1')).not.toBe(hlsDirOf(root, 'cam-2'));
  });

  it('gives concurrent first requests for a camera one relay', async () => {
    const hlsDir = mkdtempSync(join(tmpdir(), 'sightline-live-'));
    dirs.push(hlsDir);
    const live = new LiveService({
      store: storeWithCamera('cam-1'),
      tokens: new MediaTokens(randomBytes(32)),
      log: pino({ level: 'silent' }),
      ice: { loopbackOnly: true },
      publish: async () => {},
      graceMs: 1000,
      publishTokenTtlMs: 60_000,
      hlsDir,
    });
    // Offers that cannot be answered: each call still needs the camera's relay first.
    const results = await Promise.allSettled([live.acceptPublisher('cam-1', 'not an offer'), live.acceptPublisher('cam-1', 'not an offer')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(relays).toHaveLength(1);
    await live.close();
  });

  it('stops a publisher nobody asked for (an edge reconnecting after a hub restart) after the grace period', async () => {
    const hlsDir = mkdtempSync(join(tmpdir(), 'sightline-live-'));
    dirs.push(hlsDir);
    const published: { topic: string; payload: string }[] = [];
    const live = new LiveService({
      store: storeWithCamera('cam-1'),
      tokens: new MediaTokens(randomBytes(32)),
      log: pino({ level: 'silent' }),
      ice: { loopbackOnly: true },
      publish: async (topic, payload) => void published.push({ topic, payload }),
      graceMs: 200,
      publishTokenTtlMs: 60_000,
      hlsDir,
    });
    const { RTCPeerConnection } = await import('werift');
    const { peerConfig } = await import('@sightline/media');
    const pc = new RTCPeerConnection(peerConfig({ loopbackOnly: true }));
    pc.addTransceiver('video', { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => setTimeout(r, 300)); // host candidates gathered
    try {
      await live.acceptPublisher('cam-1', pc.localDescription!.sdp);
      await new Promise((r) => setTimeout(r, 600));
      expect(published.map((p) => JSON.parse(p.payload))).toContainEqual({ action: 'stop', cameraId: 'cam-1' });
    } finally {
      await pc.close();
      await live.close();
    }
  });
});

