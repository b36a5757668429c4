import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdpForIce } from '@sightline/media';
import type { Hub } from '@sightline/hub';
import type { EdgeAgent } from '@sightline/edge';
import type { SightlineClient } from '@sightline/sdk';
import { WeriftViewer } from '../../media/test/support/werift-viewer.js';
import { startRtspTestServer, type RtspTestServer } from '../../vision/test/support/rtsp-test-server.js';
import { waitFor } from './support/fleet-processes.js';
import { startInProcessFleet, type InProcessFleet } from './support/in-process-fleet.js';

const LOOPBACK = { loopbackOnly: true };

/**
 * Many cameras allow only a few connections: the edge opens each camera once and analysis, live video and recording
 * all share it. An RTSP camera (a real RTSP server fed by ffmpeg) is analysed, watched and recorded at the same time
 * while the server sees a single reader, and its H.264 reaches the viewer without being re-encoded.
 */
describe('one camera connection for analysis, live video and recording', () => {
  let fleet: InProcessFleet;
  let rtsp: RtspTestServer;
  let hub: Hub;
  let edge: EdgeAgent;
  let client: SightlineClient;
  let model: string;

  beforeAll(async () => {
    rtsp = await startRtspTestServer();
    await rtsp.publish('camera', ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15']);
    fleet = await startInProcessFleet('one-connection', 'edge-rtsp', { liveGraceMs: 1000 });
    ({ hub, edge, client, model } = fleet);
  }, 60_000);

  afterAll(async () => {
    await fleet?.close();
    await rtsp?.stop();
  });

  it('keeps a single RTSP session while the camera is analysed, watched and recorded', async () => {
    await client.cameras.create({
      deviceId: 'edge-rtsp',
      id: 'gate',
      source: rtsp.url('camera'),
      model,
      fps: 5,
      recording: { mode: 'continuous', preRollSeconds: 0, postRollSeconds: 0, retainDays: 1 },
    });
    await waitFor('the camera analysed', async () => (await client.devices.get('edge-rtsp')).cameras.some((c) => c.cameraId === 'gate' && c.state === 'running' && c.fps > 0), 30_000);

    const { whepUrl, token } = await (await fetch(`${hub.url}/api/v1/cameras/gate/live-token`, { method: 'POST', headers: { authorization: `Bearer ${await readKey()}` } })).json();
    const viewer = await WeriftViewer.join(async (offer) => {
      const response = await fetch(`${whepUrl}?access_token=${token}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: sdpForIce(offer, LOOPBACK) });
      if (response.status !== 201) throw new Error(`WHEP answered ${response.status}: ${await response.text()}`);
      return { viewerId: response.headers.get('location') ?? '', answerSdp: await response.text() };
    });
    try {
      await viewer.waitForPackets(50, 20_000);
      await waitFor('a recorded segment uploaded', async () => (await client.recordings.list('gate', { from: Date.now() - 600_000, to: Date.now() })).segments.length > 0, 30_000, 500);
      // Everything at once, over one connection to the camera.
      expect(edge.live.cameraIds).toEqual(['gate']);
      expect(rtsp.readerTransports('camera')).toHaveLength(1);
      // The camera's H.264 goes out as it came in: no transcoder for a camera without privacy settings.
      expect(edge.live.transcoderOf('gate')).toBeUndefined();
    } finally {
      await viewer.close();
    }
  }, 90_000);

  async function readKey(): Promise<string> {
    return (await client.apiKeys.create({ name: 'viewer', scope: 'read' })).key;
  }
});
