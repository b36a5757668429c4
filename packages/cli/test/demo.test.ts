import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SightlineClient } from '@sightline/sdk';
import { requireSharedData } from '../../vision/src/util/shared-data.js';
import { CliProcess, waitFor } from './support/fleet-processes.js';

describe('sightline demo (the main job)', () => {
  requireSharedData('videos/worker_factory_floor.mp4');
  requireSharedData('models/yolox_nano.onnx');

  it('starts a hub and an edge with one camera, prints the API and docs URLs, serves events, and exits cleanly on SIGTERM', async () => {
    const demo = new CliProcess(['demo', '--port', '0']);
    try {
      const printed = await waitFor('the demo banner', () => /docs\s+(http\S+)/.test(demo.output) && demo.output, 60_000);
      const url = /API\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(printed)![1]!;
      const key = /Bearer (sl_\S+)\)/.exec(printed)![1]!;
      expect(printed).toContain(`${url}/docs?access_token=${key}`);
      const client = new SightlineClient({ baseUrl: url, apiKey: key });
      const page = await waitFor('person events', async () => {
        const p = await client.events.list({ label: 'person', limit: 5 });
        return p.events.length > 0 && p;
      }, 60_000);
      expect(page.events[0]!.event.cameraId).toBe('demo-camera');
      const docs = await fetch(`${url}/docs/json?access_token=${key}`);
      expect(docs.status).toBe(200);
      expect(await demo.kill('SIGTERM')).toBe(0);
    } finally {
      await demo.kill('SIGKILL');
    }
  });

  it('says exactly what to pass when there is no sample data', async () => {
    const demo = new CliProcess(['demo', '--video', '/nonexistent/clip.mp4', '--port', '0']);
    demo.child.stdin?.end();
    const code = await demo.exited;
    expect(code).toBe(1);
    expect(demo.output).toContain('sightline demo --video <video file or rtsp://camera> --model yolox-nano');
    expect(existsSync('/nonexistent')).toBe(false);
  });
});
