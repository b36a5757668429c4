import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning } from '@sightline/streaming';
import mqtt from 'mqtt';
import { enroll } from '@sightline/device';
import { deviceTopics, type Host, type HostHeartbeat, type SpectateToken, type StreamSession } from '@sightline/protocol';
import { colorApp, startStreamingFleet, type StreamingFleet } from './support/streaming-fleet.js';
import { WeriftPlayer } from './support/werift-player.js';

/**
 * The whole session flow with real parts: hub (SQLite, embedded broker, relay), an enrolled host running the colour
 * app on Xvfb with x264, and werift players. The browser end to end is packages/cli/test/cloud-play.test.ts.
 */
describe('cloud streaming sessions: hub, host and players', () => {
  let fleet: StreamingFleet;
  let playerKey: string;

  beforeAll(async () => {
    fleet = await startStreamingFleet('session-flow');
    await fleet.createApp(colorApp());
    playerKey = await fleet.newPlayer('player-1');
  });
  afterAll(async () => fleet?.close());

  it('enrolls the host and advertises its capacity and encoders', async () => {
    const hosts = (await fleet.api<Host[]>('GET', '/hosts', undefined, playerKey)).body;
    expect(hosts).toHaveLength(1);
    expect(hosts[0]).toMatchObject({ id: 'host-1', online: true, enrolled: true, capacity: { slots: 1 } });
    expect(hosts[0]!.capacity!.encoders.map((e) => e.encoder)).toEqual(expect.arrayContaining(['libx264', 'libvpx']));
    // A host is not an edge: it takes no cameras.
    const camera = await fleet.api<{ error: { field: string } }>('POST', '/cameras', { id: 'cam', deviceId: 'host-1', source: 'lavfi:testsrc' }, fleet.adminKey);
    expect(camera.status).toBe(400);
  });

  it('an edge device cannot pose as a host: its host heartbeats are refused', async () => {
    const created = await fleet.api<{ enrollment: { token: string } }>('POST', '/devices', { id: 'edge-x' }, fleet.adminKey);
    const credentials = await enroll(fleet.hub.url, created.body.enrollment.token, 10_000, 'edge');
    const client = await mqtt.connectAsync(credentials.mqtt.url, { clientId: 'edge-x', username: credentials.mqtt.username, password: credentials.mqtt.password });
    const heartbeat: HostHeartbeat = {
      hostId: 'edge-x',
      ts: Date.now(),
      version: 'x',
      cpuPercent: 0,
      memoryBytes: 0,
      capacity: { slots: 8, maxWidth: 1920, maxHeight: 1080, maxFps: 60, encoders: [{ codec: 'h264', encoder: 'libx264', hardware: false }] },
      sessions: [],
    };
    await client.publishAsync(deviceTopics('edge-x').hostHeartbeat, JSON.stringify(heartbeat), { qos: 1 });
    await new Promise((r) => setTimeout(r, 500));
    await client.endAsync();
    const hosts = (await fleet.api<Host[]>('GET', '/hosts', undefined, playerKey)).body;
    expect(hosts.map((h) => h.id)).toEqual(['host-1']);
    // …and a host's token is not an edge's: refused, and still usable by a host.
    const hostDevice = await fleet.api<{ enrollment: { token: string } }>('POST', '/devices', { id: 'host-2', kind: 'host' }, fleet.adminKey);
    await expect(enroll(fleet.hub.url, hostDevice.body.enrollment.token, 10_000, 'edge')).rejects.toThrow(/not one for an edge device/);
    expect((await enroll(fleet.hub.url, hostDevice.body.enrollment.token, 10_000, 'host')).deviceId).toBe('host-2');
    expect((await fleet.api('DELETE', '/devices/host-2', undefined, fleet.adminKey)).status).toBe(204);
  });

  it('runs a session, forwards only the player\'s input, queues the next player, and ends leaving nothing behind', async () => {
    const created = await fleet.api<StreamSession>('POST', '/apps/colors/sessions', {}, playerKey);
    expect(created.status).toBe(201);
    expect(['starting', 'queued']).toContain(created.body.state);
    const running = await fleet.waitForSession(created.body.id, 'running', 20_000, playerKey);
    expect(running.hostId).toBe('host-1');

    // Another player's request waits in the queue: the host has one slot.
    const other = await fleet.api<StreamSession>('POST', '/apps/colors/sessions', { record: true }, fleet.adminKey);
    expect(other.body).toMatchObject({ state: 'queued', queuePosition: 1 });
    // The same player asking again gets the session they already have.
    const again = await fleet.api<StreamSession>('POST', '/apps/colors/sessions', {}, playerKey);
    expect(again.body.id).toBe(created.body.id);
    // One session at a time per player.
    await fleet.createApp(colorApp({ id: 'colors-2', name: 'Another colour app' }));
    const second = await fleet.api<{ error: { code: string } }>('POST', '/apps/colors-2/sessions', {}, playerKey);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('session_limit');
    // Nobody else sees it.
    const stranger = await fleet.newPlayer('player-2');
    expect((await fleet.api('GET', `/sessions/${created.body.id}`, undefined, stranger)).status).toBe(404);
    expect((await fleet.api('DELETE', `/sessions/${created.body.id}`, undefined, stranger)).status).toBe(404);
    expect(await new WeriftPlayer().connect(running.whepUrl, stranger)).toBe(404);

    const player = new WeriftPlayer();
    expect(await player.connect(running.whepUrl, playerKey)).toBe(201);
    const hosted = fleet.host.sessions.get(created.body.id)!;
    const pids = hosted.pids;
    expect(pids.length).toBeGreaterThanOrEqual(3);
    const deadline = Date.now() + 10_000;
    while (player.packets === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(player.packets).toBeGreaterThan(0);

    player.send({ type: 'key', code: 'Space', down: true });
    player.send({ type: 'key', code: 'Space', down: false });
    player.send({ type: 'mouse-move', x: 0.5, y: 0.5 });
    player.reliable.send('{"type":"key","code":"Space"'); // malformed: refused at the hub
    const inputDeadline = Date.now() + 5000;
    while (hosted.inputCounters.applied < 3 && Date.now() < inputDeadline) await new Promise((r) => setTimeout(r, 20));
    expect(hosted.inputCounters.applied).toBe(3);

    // Sparse input must not stall: an older werift spaced data-channel messages about 200 ms apart. Each message is
    // timed from the player's send to its arrival at the host, through both werift hops (player → hub → host).
    const delays: number[] = [];
    for (const label of ['reliable', 'pointer'] as const) {
      for (let i = 0; i < 12; i++) {
        const sentAt = performance.now();
        const arrived = new Promise<void>((resolve) => hosted.once('input', () => resolve()));
        if (label === 'reliable') player.send({ type: 'key', code: 'ShiftLeft', down: i % 2 === 0 });
        else player.send({ type: 'mouse-move', x: i / 12, y: 0.5 });
        await arrived;
        delays.push(performance.now() - sentAt);
        await new Promise((r) => setTimeout(r, 80 + (i % 3) * 40));
      }
    }
    delays.sort((a, b) => a - b);
    console.log(`input, player → host, sparse: median ${delays[delays.length >> 1]!.toFixed(1)} ms, max ${delays.at(-1)!.toFixed(1)} ms; all ${delays.map((d) => d.toFixed(0)).join(" ")}`);
    // The old bug delayed most messages by ~200 ms; a loaded CI machine may delay one or two now and then.
    expect(delays[delays.length >> 1]).toBeLessThan(25);
    expect(delays[Math.floor(delays.length * 0.9)]).toBeLessThan(100);

    // Network adaptation, as the hub commands it: a lower bitrate, a smaller picture and fewer frames.
    hosted.apply({ action: 'target', sessionId: running.id, bitrateKbps: 500, fps: 15, height: 90 });
    const adaptedBy = Date.now() + 5000;
    while (hosted.stats()?.targetBitrateKbps !== 500 && Date.now() < adaptedBy) await new Promise((r) => setTimeout(r, 100));
    expect(hosted.stats()?.targetBitrateKbps).toBe(500);

    // A spectator watches through the same relay, and its input goes nowhere.
    const spectate = await fleet.api<SpectateToken>('POST', `/sessions/${created.body.id}/spectate-token`, {}, playerKey);
    const spectator = new WeriftPlayer();
    expect(await spectator.connect(spectate.body.whepUrl, spectate.body.token)).toBe(201);
    spectator.send({ type: 'key', code: 'KeyA', down: true });
    await new Promise((r) => setTimeout(r, 500));
    expect(hosted.inputCounters.applied).toBe(27);
    expect((await fleet.api<StreamSession>('GET', `/sessions/${created.body.id}`, undefined, playerKey)).body.spectators).toBe(1);

    expect((await fleet.api('DELETE', `/sessions/${created.body.id}`, undefined, playerKey)).status).toBe(204);
    const ended = await fleet.waitForSession(created.body.id, 'ended', 15_000, playerKey);
    expect(ended.endReason).toBe('ended');
    await player.close();
    await spectator.close();
    const goneDeadline = Date.now() + 5000;
    while (pids.some(isRunning) && Date.now() < goneDeadline) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(isRunning)).toEqual([]);

    // The slot is free again: the queued player's session starts. It asked to be recorded.
    const recorded = await fleet.waitForSession(other.body.id, 'running', 20_000);
    expect(recorded.recording).toBe('recording');
    await new Promise((r) => setTimeout(r, 2500));
    expect((await fleet.api('DELETE', `/sessions/${other.body.id}`, undefined, fleet.adminKey)).status).toBe(204);
    await fleet.waitForSession(other.body.id, 'ended', 15_000);
    const readyBy = Date.now() + 15_000;
    while ((await fleet.api<StreamSession>('GET', `/sessions/${other.body.id}`, undefined, fleet.adminKey)).body.recording === 'recording' && Date.now() < readyBy) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await fleet.api<StreamSession>('GET', `/sessions/${other.body.id}`, undefined, fleet.adminKey)).body.recording).toBe('ready');
    const mp4 = await fetch(`${fleet.hub.url}/api/v1/sessions/${other.body.id}/recording.mp4`, { headers: { authorization: `Bearer ${fleet.adminKey}` } });
    expect(mp4.status).toBe(200);
    const file = join(fleet.dir, 'session.mp4');
    writeFileSync(file, Buffer.from(await mp4.arrayBuffer()));
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', file], { encoding: 'utf8' })) as {
      streams: { codec_name: string; width: number; nb_read_frames: string }[];
    };
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 320 });
    expect(Number(probe.streams[0]!.nb_read_frames)).toBeGreaterThan(30);
    // Another player cannot fetch it, and an unrecorded session has none.
    expect((await fleet.api('GET', `/sessions/${other.body.id}/recording.mp4`, undefined, playerKey)).status).toBe(404);
    expect((await fleet.api('GET', `/sessions/${created.body.id}/recording.mp4`, undefined, playerKey)).status).toBe(404);
  });
});

describe('a player who drops comes back to the same session within the grace period', () => {
  let fleet: StreamingFleet;
  let playerKey: string;

  beforeAll(async () => {
    fleet = await startStreamingFleet('session-grace', {}, { streamReconnectGraceMs: 2000 });
    await fleet.createApp(colorApp());
    playerKey = await fleet.newPlayer('player-1');
  });
  afterAll(async () => fleet?.close());

  it('resumes within the grace period, and the session ends (player-left) once it passes', async () => {
    const created = await fleet.api<StreamSession>('POST', '/apps/colors/sessions', {}, playerKey);
    const running = await fleet.waitForSession(created.body.id, 'running', 20_000, playerKey);
    const hosted = fleet.host.sessions.get(running.id)!;
    const first = new WeriftPlayer();
    expect(await first.connect(running.whepUrl, playerKey)).toBe(201);
    first.send({ type: 'key', code: 'KeyA', down: true }); // held when the connection drops
    await new Promise((r) => setTimeout(r, 300));
    // The player's network goes away: the WHEP resource is deleted (a closed tab says nothing; the relay notices the
    // silence after some seconds, which the relay's own tests cover).
    await fetch(first.resourceUrl!, { method: 'DELETE', headers: { authorization: `Bearer ${playerKey}` } });
    await first.close();
    await new Promise((r) => setTimeout(r, 1000));
    expect((await fleet.api<StreamSession>('GET', `/sessions/${running.id}`, undefined, playerKey)).body.state).toBe('running');

    const second = new WeriftPlayer();
    expect(await second.connect(running.whepUrl, playerKey)).toBe(201);
    const applied = hosted.inputCounters.applied;
    second.send({ type: 'key', code: 'KeyB', down: true });
    second.send({ type: 'key', code: 'KeyB', down: false });
    const deadline = Date.now() + 5000;
    while (hosted.inputCounters.applied < applied + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(hosted.inputCounters.applied).toBe(applied + 2);
    await new Promise((r) => setTimeout(r, 2500)); // past the grace period, but connected: still running
    expect((await fleet.api<StreamSession>('GET', `/sessions/${running.id}`, undefined, playerKey)).body.state).toBe('running');

    await fetch(second.resourceUrl!, { method: 'DELETE', headers: { authorization: `Bearer ${playerKey}` } });
    await second.close();
    const ended = await fleet.waitForSession(running.id, 'ended', 15_000, playerKey);
    expect(ended.endReason).toBe('player-left');
    expect(fleet.host.sessions.has(running.id)).toBe(false);
  });
});
