import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DeviceConfigSchema,
  deviceTopics,
  type Camera,
  type ConfigApplied,
  type Device,
  type DeviceConfig,
  type EnrollmentToken,
  type EnrollResponse,
  type EventPage,
  type Heartbeat,
  type StoredEvent,
} from '@sightline/protocol';
import { startTestHub, type TestHub } from './support/test-hub.js';
import { enrollDevice, TestDevice, waitConnected, type EnrolledDevice } from './support/device-client.js';
import { EventStreamClient } from './support/event-stream.js';
import { captureLogs, PINO_WARN, type LogLine } from './support/log-capture.js';
import { TINY_JPEG, batchOf, lineCross, snapshotOf, zoneEnter } from './support/events.js';
import { sleep, waitFor } from './support/wait.js';

const MAX_PAYLOAD = 64 * 1024;

function heartbeatOf(deviceId: string, cameraId: string): Heartbeat {
  return {
    deviceId,
    ts: Date.now(),
    version: '0.1.0-test',
    configVersion: 1,
    cpuPercent: 12.5,
    memoryBytes: 123_456_789,
    cameras: [{ cameraId, state: 'running', fps: 4.8, droppedFrames: 3, inferenceMs: 18.2 }],
    outbox: { pending: 2, bytes: 4096, dropped: 1, refused: 2 },
  };
}

describe('a device on the embedded broker', () => {
  let hub: TestHub;
  let logs: LogLine[];
  let a: EnrolledDevice;
  let b: EnrolledDevice;
  const open: TestDevice[] = [];
  const streams: EventStreamClient[] = [];

  /** Connects a device and subscribes it to its config and acks; closed after the test. */
  async function connect(device: EnrolledDevice, url = hub.hub.mqttUrl): Promise<TestDevice> {
    const client = await TestDevice.connect(url, device);
    open.push(client);
    await client.subscribeOwn();
    return client;
  }

  async function events(query: string): Promise<EventPage> {
    const response = await hub.call<EventPage>('GET', `/api/v1/events?${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  }

  const warnings = (text: string) => logs.filter((l) => l.level >= PINO_WARN && l.msg.includes(text));

  beforeAll(async () => {
    const captured = captureLogs();
    logs = captured.lines;
    hub = await startTestHub({ logger: captured.logger, maxMqttPayloadBytes: MAX_PAYLOAD });
    a = await enrollDevice(hub, 'edge-a');
    b = await enrollDevice(hub, 'edge-b');
    for (const [deviceId, id] of [['edge-a', 'cam-a'], ['edge-b', 'cam-b']]) {
      const created = await hub.call('POST', '/api/v1/cameras', { body: { deviceId, id, source: 'lavfi:testsrc' } });
      expect(created.status).toBe(201);
    }
  });

  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.close()));
    await Promise.all(open.splice(0).map((d) => d.close()));
  });

  afterAll(async () => {
    await hub?.close();
  });

  it('stores a batch with its snapshot, acknowledges it, and serves it back once', async () => {
    const device = await connect(a);
    const live = await EventStreamClient.open(hub.hub.url, hub.adminKey, { deviceId: 'edge-a' });
    const liveCrossings = await EventStreamClient.open(hub.hub.url, hub.adminKey, { type: 'line.cross' });
    streams.push(live, liveCrossings);
    const ingestedBefore = await hub.metric('sightline_events_ingested_total');

    const enter = zoneEnter('cam-a');
    const enter2 = zoneEnter('cam-a', { trackId: 7, label: 'forklift', classId: 5 });
    const cross = lineCross('cam-a', 'out');
    const batch = batchOf('edge-a', [enter, enter2, cross], [snapshotOf(enter, 'crop'), snapshotOf(enter, 'frame')]);
    const ack = await device.sendBatch(batch);
    expect(ack.ids).toEqual([enter.id, enter2.id, cross.id]);
    expect(ack.committedAt).toBeGreaterThan(0);
    expect(await hub.metric('sightline_events_ingested_total')).toBe(ingestedBefore + 3);

    // Acknowledged means committed: the events are there as soon as the ack is.
    const all = await events('deviceId=edge-a');
    expect(all.events.map((e) => e.event.id)).toEqual([cross.id, enter2.id, enter.id]);
    expect(all.nextCursor).toBeNull();
    const stored = all.events.find((e) => e.event.id === enter.id)!;
    expect(stored.event).toEqual(enter);
    expect(stored.deviceId).toBe('edge-a');
    expect([...stored.snapshots].sort((x, y) => x.kind.localeCompare(y.kind))).toEqual([
      { kind: 'crop', width: 8, height: 8, url: `/api/v1/events/${enter.id}/snapshots/crop` },
      { kind: 'frame', width: 8, height: 8, url: `/api/v1/events/${enter.id}/snapshots/frame` },
    ]);

    // Filters.
    expect((await events('type=line.cross')).events.map((e) => e.event.id)).toEqual([cross.id]);
    expect((await events('label=forklift')).events.map((e) => e.event.id)).toEqual([enter2.id]);
    expect((await events('zoneId=door&cameraId=cam-a')).events.map((e) => e.event.id)).toEqual([enter2.id, enter.id]);
    expect((await events('lineId=gate')).events).toHaveLength(1);
    expect((await events('trackId=7')).events.map((e) => e.event.id)).toEqual([enter2.id]);
    expect((await events('cameraId=cam-b')).events).toEqual([]);
    expect((await events(`from=${Date.now() + 60_000}`)).events).toEqual([]);
    expect((await events(`from=${new Date(enter.wallTime - 1000).toISOString()}`)).events).toHaveLength(3);

    // Cursor pagination, newest first, every event once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: EventPage = await events(`deviceId=edge-a&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.events.length).toBeLessThanOrEqual(2);
      seen.push(...page.events.map((e) => e.event.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([cross.id, enter2.id, enter.id]);

    const one = await hub.call<StoredEvent>('GET', `/api/v1/events/${cross.id}`);
    expect(one.status).toBe(200);
    expect(one.body.event).toEqual(cross);
    expect(one.body.snapshots).toEqual([]);

    const jpeg = await hub.call('GET', stored.snapshots.find((s) => s.kind === 'crop')!.url);
    expect(jpeg.status).toBe(200);
    expect(jpeg.headers.get('content-type')).toBe('image/jpeg');
    expect(jpeg.bytes.equals(TINY_JPEG)).toBe(true);
    // A browser <img> cannot send a header: the key in the URL works too.
    const byQuery = await hub.call('GET', `/api/v1/events/${enter.id}/snapshots/frame?access_token=${hub.adminKey}`, { token: null });
    expect(byQuery.status).toBe(200);
    expect(byQuery.bytes.equals(TINY_JPEG)).toBe(true);
    expect((await hub.call('GET', `/api/v1/events/${cross.id}/snapshots/crop`)).status).toBe(404);

    // Live: each event exactly once, filtered per stream.
    await waitFor('3 live events', () => live.events.length >= 3 && liveCrossings.events.length >= 1);
    expect(live.events.map((e) => e.event.id)).toEqual([enter.id, enter2.id, cross.id]);
    expect(live.events[0]!.snapshots.map((s) => s.url)).toContain(`/api/v1/events/${enter.id}/snapshots/crop`);
    expect(live.messages.some((m) => m.startsWith(`event: sightline-event\nid: ${enter.id}\n`))).toBe(true);
    expect(liveCrossings.events.map((e) => e.event.id)).toEqual([cross.id]);

    // Redelivery (the edge did not see the ack): acknowledged again, stored once, not streamed again.
    const duplicatesBefore = await hub.metric('sightline_event_duplicates_total');
    const again = await device.sendBatch(batch);
    expect(again.batchId).toBe(batch.batchId);
    expect(again.ids).toEqual(ack.ids);
    expect(device.acks().filter((x) => x.batchId === batch.batchId)).toHaveLength(2);
    expect((await events('deviceId=edge-a')).events).toHaveLength(3);
    expect(await hub.metric('sightline_event_duplicates_total')).toBe(duplicatesBefore + 3);
    expect(await hub.metric('sightline_events_ingested_total')).toBe(ingestedBefore + 3);
    await sleep(150);
    expect(live.events).toHaveLength(3);
    expect(liveCrossings.events).toHaveLength(1);
  });

  it('tracks presence: heartbeat health, online status, and the last will on a lost connection', async () => {
    const device = await connect(b);
    await device.announceOnline();
    await waitFor('edge-b online', async () => (await hub.call<Device>('GET', '/api/v1/devices/edge-b')).body.online);

    await device.publishJson(device.topics.heartbeat, heartbeatOf('edge-b', 'cam-b'));
    const healthy = await waitFor('the heartbeat', async () => {
      const d = (await hub.call<Device>('GET', '/api/v1/devices/edge-b')).body;
      return d.version === '0.1.0-test' ? d : undefined;
    });
    expect(healthy).toMatchObject({
      online: true,
      cpuPercent: 12.5,
      memoryBytes: 123_456_789,
      outbox: { pending: 2, dropped: 1, refused: 2 },
      cameras: [{ cameraId: 'cam-b', state: 'running', fps: 4.8, droppedFrames: 3, inferenceMs: 18.2 }],
    });
    expect(healthy.lastSeenAt).toBeGreaterThan(Date.now() - 10_000);
    const camera = await hub.call<Camera>('GET', '/api/v1/cameras/cam-b');
    expect(camera.body.health).toMatchObject({ cameraId: 'cam-b', state: 'running' });
    expect(await hub.metric('sightline_devices_online')).toBeGreaterThanOrEqual(1);
    expect(await hub.metric('sightline_device_outbox_dropped_events', { device: 'edge-b' })).toBe(1);

    // A heartbeat claiming another device's id is refused.
    const rejected = await hub.metric('sightline_mqtt_messages_rejected_total');
    await device.publishJson(device.topics.heartbeat, { ...heartbeatOf('edge-a', 'cam-a'), version: 'spoofed' });
    await waitFor('the spoofed heartbeat refused', async () => (await hub.metric('sightline_mqtt_messages_rejected_total')) > rejected);
    expect((await hub.call<Device>('GET', '/api/v1/devices/edge-a')).body.version).not.toBe('spoofed');

    // Power cut: no DISCONNECT, so the broker publishes the retained "offline" will.
    device.dropConnection();
    await waitFor('edge-b offline', async () => !(await hub.call<Device>('GET', '/api/v1/devices/edge-b')).body.online);
    expect(logs.some((l) => l.msg === 'device presence' && l.deviceId === 'edge-b' && l.online === false)).toBe(true);

    // The will was retained: whoever subscribes later learns the device is offline.
    const again = await connect(b);
    await again.client.subscribeAsync(again.topics.status, { qos: 1 });
    const status = await waitFor('the retained status', () => again.messagesOn(again.topics.status)[0]);
    expect(status.retain).toBe(true);
    expect(JSON.parse(status.payload.toString('utf8'))).toMatchObject({ online: false });
  });

  it('pushes config changes to the device, retained, and records what the device applied', async () => {
    const device = await connect(a);
    const first = await waitFor('the retained config', () => device.messagesOn(device.topics.config)[0]);
    expect(first.retain).toBe(true);
    const initial = DeviceConfigSchema.parse(JSON.parse(first.payload.toString('utf8')));
    expect(initial.deviceId).toBe('edge-a');
    expect(initial.cameras.map((c) => c.id)).toEqual(['cam-a']);

    const created = await hub.call<Camera>('POST', '/api/v1/cameras', {
      body: { deviceId: 'edge-a', id: 'cam-a2', source: 'rtsp://10.1.1.1/live', fps: 3, analytics: { zones: [{ id: 'bay', polygon: [[0, 0], [1, 0], [1, 1]] }] } },
    });
    expect(created.status).toBe(201);
    const pushed = await waitFor('the pushed config', () => device.jsonOn<DeviceConfig>(device.topics.config).find((c) => c.version > initial.version));
    expect(pushed.version).toBe(created.body.configVersion);
    expect(pushed.cameras.map((c) => c.id).sort()).toEqual(['cam-a', 'cam-a2']);
    expect(pushed.cameras.find((c) => c.id === 'cam-a2')).toMatchObject({ source: 'rtsp://10.1.1.1/live', fps: 3, model: 'yolox-nano' });
    // Only edge-a's config changed.
    expect(device.jsonOn<DeviceConfig>(device.topics.config).every((c) => c.deviceId === 'edge-a')).toBe(true);

    // A device that connects later gets the latest config at once, as a retained message.
    await device.close();
    const later = await connect(a);
    const retained = await waitFor('the retained config', () => later.messagesOn(later.topics.config)[0]);
    expect(retained.retain).toBe(true);
    expect(JSON.parse(retained.payload.toString('utf8'))).toEqual(pushed);

    const refused: ConfigApplied = {
      version: pushed.version,
      ok: false,
      errors: [{ cameraId: 'cam-a2', path: 'source', message: 'cannot open rtsp://10.1.1.1/live' }],
    };
    await later.publishJson(later.topics.configApplied, refused);
    const device1 = await waitFor('the config report', async () => {
      const d = (await hub.call<Device>('GET', '/api/v1/devices/edge-a')).body;
      return d.appliedVersion === pushed.version ? d : undefined;
    });
    expect(device1.appliedOk).toBe(false);
    expect(device1.appliedErrors).toEqual(refused.errors);
    expect((await hub.call<Camera>('GET', '/api/v1/cameras/cam-a2')).body.applied).toBe(false);
    expect(warnings('device refused its configuration').some((l) => l.deviceId === 'edge-a')).toBe(true);

    await later.publishJson(later.topics.configApplied, { version: pushed.version, ok: true, errors: [] });
    await waitFor('the camera applied', async () => (await hub.call<Camera>('GET', '/api/v1/cameras/cam-a2')).body.applied === true);
    expect((await hub.call<Device>('GET', '/api/v1/devices/edge-a')).body).toMatchObject({ appliedOk: true, appliedErrors: [] });
  });

  describe('access control', () => {
    it("refuses a publish into another device's topics and disconnects the publisher", async () => {
      const intruder = await connect(a);
      const victim = await connect(b);
      const rejected = await hub.metric('sightline_mqtt_messages_rejected_total', { reason: 'wrong_topic' });
      const forged = batchOf('edge-b', [zoneEnter('cam-b')]);
      const closed = intruder.closed();
      intruder.client.publish(deviceTopics('edge-b').events, JSON.stringify(forged), { qos: 1 });
      await closed;
      expect(intruder.acks()).toEqual([]);
      const warning = await waitFor('the warning', () => warnings('mqtt publish refused').find((l) => l.deviceId === 'edge-a'));
      expect(warning.topic).toBe(deviceTopics('edge-b').events);
      expect(await hub.metric('sightline_mqtt_messages_rejected_total', { reason: 'wrong_topic' })).toBe(rejected + 1);

      // The victim's own traffic goes on, and the forged event was never stored.
      const genuine = batchOf('edge-b', [zoneEnter('cam-b')]);
      await victim.sendBatch(genuine);
      const stored = (await events('deviceId=edge-b')).events.map((e) => e.event.id);
      expect(stored).toContain(genuine.events[0]!.id);
      expect(stored).not.toContain(forged.events[0]!.id);
      expect(victim.acks().map((x) => x.batchId)).not.toContain(forged.batchId);
      // A publish outside the sightline tree is refused the same way.
      const other = await connect(a);
      const otherClosed = other.closed();
      other.client.publish('$SYS/whatever', 'x', { qos: 1 });
      await otherClosed;
    });

    it("refuses a subscription to another device's topics", async () => {
      const snoop = await connect(a);
      for (const topic of [deviceTopics('edge-b').config, deviceTopics('edge-b').events, 'sightline/v1/devices/+/config', '#']) {
        const failure = await snoop.client.subscribeAsync(topic, { qos: 1 }).then(
          (granted) => ({ granted: granted.map((g) => g.qos) }),
          (err: { packet?: { granted?: number[] } }) => ({ granted: err.packet?.granted }),
        );
        expect(failure.granted, topic).toEqual([128]);
      }
      expect(warnings('mqtt subscribe refused').some((l) => l.deviceId === 'edge-a' && l.topic === '#')).toBe(true);
      // Its own subtree, wildcards included, is fine.
      const own = await snoop.client.subscribeAsync(`${snoop.topics.base}/#`, { qos: 1 });
      expect(own.map((g) => g.qos)).toEqual([1]);
      expect(snoop.client.connected).toBe(true);
    });

    it('refuses wrong passwords, unknown users, a borrowed client id and old credentials', async () => {
      const attempt = async (options: mqtt.IClientOptions) => {
        const client = mqtt.connect(hub.hub.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options });
        return waitConnected(client).then(
          () => {
            client.end(true);
            return 0;
          },
          (err: { code?: number }) => err.code,
        );
      };
      const password = a.credentials.mqtt.password;
      expect(await attempt({ clientId: 'edge-a', username: 'edge-a', password: 'wrong password' })).toBe(4);
      expect(await attempt({ clientId: 'edge-a', username: 'edge-a', password: b.credentials.mqtt.password })).toBe(4);
      expect(await attempt({ clientId: 'ghost', username: 'ghost', password })).toBe(4);
      expect(await attempt({ clientId: 'edge-a' })).toBe(4);
      expect(await attempt({ clientId: 'hub-imposter', username: 'sightline-hub', password })).toBe(4);
      expect(await attempt({ clientId: 'edge-b', username: 'edge-a', password })).toBe(2);
      expect(await attempt({ clientId: 'not-edge-a', username: 'edge-a', password })).toBe(2);
      expect(warnings('mqtt login refused').length).toBeGreaterThanOrEqual(7);
      // The right ones work.
      expect(await attempt({ clientId: 'edge-a', username: 'edge-a', password })).toBe(0);

      // Re-enrolling replaces the credentials: the old password stops working.
      const created = await hub.call<EnrollmentToken>('POST', '/api/v1/devices/edge-a/enrollment-token');
      const renewed = await hub.call<EnrollResponse>('POST', '/api/v1/enroll', { body: { token: created.body.token }, token: null });
      expect(renewed.status).toBe(200);
      expect(await attempt({ clientId: 'edge-a', username: 'edge-a', password })).toBe(4);
      expect(await attempt({ clientId: 'edge-a', username: 'edge-a', password: renewed.body.mqtt.password })).toBe(0);
      a = { id: 'edge-a', credentials: renewed.body };

      // A deleted device loses its open session at once and cannot log in again.
      const doomed = await enrollDevice(hub, 'edge-doomed');
      expect(await attempt({ clientId: 'edge-doomed', username: 'edge-doomed', password: doomed.credentials.mqtt.password })).toBe(0);
      const session = await TestDevice.connect(hub.hub.mqttUrl, doomed);
      const closed = new Promise<void>((resolve) => session.client.once('close', () => resolve()));
      expect((await hub.call('DELETE', '/api/v1/devices/edge-doomed')).status).toBe(204);
      await closed;
      session.client.end(true);
      expect(await attempt({ clientId: 'edge-doomed', username: 'edge-doomed', password: doomed.credentials.mqtt.password })).toBe(4);
    });
  });

  describe('bad input', () => {
    it('refuses malformed batches, and stores and acknowledges only the valid events of the others', async () => {
      const device = await connect(a);
      const countBefore = (await events('deviceId=edge-a&limit=1000')).events.length;
      const rejected = (reason: string) => hub.metric('sightline_mqtt_messages_rejected_total', { reason });
      const before = {
        malformed: await rejected('malformed'),
        invalid: await rejected('invalid'),
        wrongDevice: await rejected('wrong_device'),
        foreign: await rejected('foreign_camera'),
        badSnapshot: await rejected('bad_snapshot'),
      };
      const publish = (payload: string | Buffer) => device.client.publishAsync(device.topics.events, payload, { qos: 1 });

      // Not JSON, or not even a batch envelope: nothing to acknowledge, nothing stored.
      await publish('{"batchId": ');
      await publish(Buffer.from([0xff, 0xfe, 0x00, 0x01]));
      await publish('');
      await publish(JSON.stringify({ batchId: 'not-a-uuid', deviceId: 'edge-a', events: [] }));
      // A poison event: the valid one beside it is kept, and the ack lists only that one.
      const valid = zoneEnter('cam-a');
      const poison = { ...zoneEnter('cam-a'), confidence: 7 };
      const salvaged = { ...batchOf('edge-a', []), events: [poison, valid] };
      await publish(JSON.stringify(salvaged));
      // A batch claiming to be another device's: acknowledged as empty so the edge stops resending it; nothing stored.
      const misaddressed = batchOf('edge-b', [zoneEnter('cam-b')]);
      await publish(JSON.stringify(misaddressed));
      // Events for another device's camera are dropped, the device's own are kept.
      const own = zoneEnter('cam-a');
      const trespass = zoneEnter('cam-b');
      const foreign = batchOf('edge-a', [own, trespass], [snapshotOf(trespass)]);
      await publish(JSON.stringify(foreign));
      // A snapshot that is not a JPEG, or not for an event of its batch, is dropped; the event is kept.
      const keep = zoneEnter('cam-a');
      const partly = batchOf('edge-a', [keep], [snapshotOf(keep, 'crop', Buffer.from('GIF89a not a jpeg')), snapshotOf(zoneEnter('cam-a'), 'crop')]);
      await device.sendBatch(partly);

      // Messages of one device are handled in order, so every message above has been decided by now.
      expect(device.acks().map((x) => [x.batchId, x.ids])).toEqual([
        [salvaged.batchId, [valid.id]],
        [misaddressed.batchId, []],
        [foreign.batchId, [own.id]],
        [partly.batchId, [keep.id]],
      ]);
      expect(await rejected('malformed')).toBe(before.malformed + 3);
      expect(await rejected('invalid')).toBe(before.invalid + 2);
      expect(await rejected('wrong_device')).toBe(before.wrongDevice + 1);
      expect(await rejected('foreign_camera')).toBe(before.foreign + 1);
      expect(await rejected('bad_snapshot')).toBe(before.badSnapshot + 3);

      const after = (await events('deviceId=edge-a&limit=1000')).events;
      expect(after.map((e) => e.event.id).slice(0, 3).sort()).toEqual([valid.id, own.id, keep.id].sort());
      expect(after.length).toBe(countBefore + 3);
      expect(after.find((e) => e.event.id === keep.id)!.snapshots).toEqual([]);
      for (const id of [poison.id, trespass.id, misaddressed.events[0]!.id]) {
        expect((await hub.call('GET', `/api/v1/events/${id}`)).status, id).toBe(404);
      }
      expect(warnings('event batch refused: not JSON').length).toBeGreaterThanOrEqual(3);
      expect(warnings('event batch refused: device id does not match').some((l) => l.claimed === 'edge-b')).toBe(true);
      expect(warnings("another device's cameras").some((l) => (l.cameras as string[]).includes('cam-b'))).toBe(true);
      // Refusals do not cost the device its connection.
      expect(device.client.connected).toBe(true);
    });

    it('cuts a connection that sends an oversized packet and keeps serving everyone else', async () => {
      const rejected = () => hub.metric('sightline_mqtt_messages_rejected_total', { reason: 'oversized' });
      const before = await rejected();
      const countBefore = (await events('deviceId=edge-a&limit=1000')).events.length;
      const jpeg = Buffer.concat([TINY_JPEG.subarray(0, 3), Buffer.alloc(MAX_PAYLOAD, 1)]);

      // Far over the limit: cut while the packet is still arriving, before the broker buffers it.
      const huge = await connect(a);
      const hugeEvent = zoneEnter('cam-a');
      const hugeClosed = huge.closed();
      huge.client.publish(huge.topics.events, JSON.stringify(batchOf('edge-a', [hugeEvent], [snapshotOf(hugeEvent, 'crop', Buffer.concat([jpeg, jpeg]))])), { qos: 1 });
      await hugeClosed;
      await waitFor('the oversized packet counted', async () => (await rejected()) === before + 1);
      expect(warnings('packet over the size limit').length).toBeGreaterThanOrEqual(1);

      // Just over the payload limit (but within the packet slack): refused by the broker's publish check.
      const justOver = await connect(a);
      const closed = justOver.closed();
      justOver.client.publish(justOver.topics.events, Buffer.alloc(MAX_PAYLOAD + 10, 0x20), { qos: 1 });
      await closed;
      await waitFor('the oversized payload counted', async () => (await rejected()) === before + 2);
      expect(warnings('payload over the size limit').length).toBeGreaterThanOrEqual(1);
      expect(huge.acks()).toEqual([]);
      expect(justOver.acks()).toEqual([]);

      // The hub still serves the API and ingests a valid batch from a fresh connection.
      expect((await hub.call('GET', '/api/v1/devices')).status).toBe(200);
      const fresh = await connect(a);
      const valid = batchOf('edge-a', [zoneEnter('cam-a')]);
      await fresh.sendBatch(valid);
      const after = (await events('deviceId=edge-a&limit=1000')).events;
      expect(after.length).toBe(countBefore + 1);
      expect(after.map((e) => e.event.id)).not.toContain(hugeEvent.id);
    });
  });

  it('works for a device over MQTT on WebSocket, where oversized messages are refused too', async () => {
    expect(hub.hub.mqttWsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    const device = await connect(b, hub.hub.mqttWsUrl!);
    const first = await waitFor('the retained config', () => device.messagesOn(device.topics.config)[0]);
    expect(JSON.parse(first.payload.toString('utf8'))).toMatchObject({ deviceId: 'edge-b' });
    const event = zoneEnter('cam-b');
    const ack = await device.sendBatch(batchOf('edge-b', [event], [snapshotOf(event)]));
    expect(ack.ids).toEqual([event.id]);
    const stored = await hub.call<StoredEvent>('GET', `/api/v1/events/${event.id}`);
    expect(stored.body.deviceId).toBe('edge-b');

    await device.publishJson(device.topics.heartbeat, { ...heartbeatOf('edge-b', 'cam-b'), version: 'over-websocket' });
    await waitFor('the heartbeat over WebSocket', async () => (await hub.call<Device>('GET', '/api/v1/devices/edge-b')).body.version === 'over-websocket');

    const rejected = await hub.metric('sightline_mqtt_messages_rejected_total', { reason: 'oversized' });
    const closed = device.closed();
    device.client.publish(device.topics.events, Buffer.alloc(MAX_PAYLOAD * 2, 0x20), { qos: 1 });
    await closed;
    await waitFor('the oversized WebSocket message counted', async () => (await hub.metric('sightline_mqtt_messages_rejected_total', { reason: 'oversized' })) === rejected + 1);

    // Wrong credentials are refused over WebSocket as well.
    const client = mqtt.connect(hub.hub.mqttWsUrl!, { clientId: 'edge-b', username: 'edge-b', password: 'nope', protocolVersion: 4, reconnectPeriod: 0 });
    await expect(waitConnected(client)).rejects.toMatchObject({ code: 4 });
  });

  it('cuts a WebSocket connection whose packet announces a length over the limit, even in small messages', async () => {
    const rejected = await hub.metric('sightline_mqtt_messages_rejected_total', { reason: 'oversized' });
    const ws = new WebSocket(hub.hub.mqttWsUrl!, 'mqtt');
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    // An anonymous CONNECT announcing 4 * MAX_PAYLOAD bytes (remaining length as MQTT's base-128 varint),
    // sent in WebSocket messages each well under the per-message limit.
    let length = MAX_PAYLOAD * 4;
    const header = [0x10];
    do {
      header.push((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
      length >>= 7;
    } while (length > 0);
    ws.send(Buffer.from(header));
    for (let i = 0; i < 3 && ws.readyState === WebSocket.OPEN; i++) ws.send(Buffer.alloc(MAX_PAYLOAD / 2));
    await closed;
    expect(await hub.metric('sightline_mqtt_messages_rejected_total', { reason: 'oversized' })).toBe(rejected + 1);
  });
});
