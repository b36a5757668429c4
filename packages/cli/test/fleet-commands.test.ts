import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError, CannedHub, closedPort } from '../../sdk/test/canned-hub.js';
import { camera, counts, device, enrollment, storedEvent } from '../../sdk/test/fixtures.js';
import { runFleetCommand } from './run-fleet-command.js';
import { runCli } from './run-cli.js';
import { parseTimeArg } from '../src/time-arg.js';
import { UsageError } from '../src/usage-error.js';

let hub: CannedHub;
let work: string;
let env: NodeJS.ProcessEnv;
const savedTz = process.env.TZ;

beforeAll(async () => {
  hub = await CannedHub.start();
  work = await mkdtemp(join(tmpdir(), 'sightline-fleet-cli-'));
  // UTC so the printed local times are the same on every machine (also for the commands run in this process).
  env = { SIGHTLINE_HUB: hub.url, SIGHTLINE_API_KEY: 'sk_env_key', TZ: 'UTC' };
  process.env.TZ = 'UTC';
});
afterAll(async () => {
  await hub.close();
  await rm(work, { recursive: true, force: true });
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});
beforeEach(() => {
  hub.requests.length = 0;
});

/** Most cases run the command in this process (fast); a few run the real entry point to check its exit codes. */
const run = (args: string[], overrides: NodeJS.ProcessEnv = {}) => runFleetCommand(args, { ...env, ...overrides });

describe('sightline devices', () => {
  it('lists devices as a table, or as the hub JSON with --json, sending the key from SIGHTLINE_API_KEY', async () => {
    const offline = device({ id: 'yard-nuc', name: null, online: false, appliedVersion: 2, configVersion: 3, cameras: [] });
    hub.on('GET /api/v1/devices', { json: [device(), offline] });
    const table = await run(['devices', 'list']);
    const json = await run(['devices', 'list', '--json']);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+LAST SEEN\s+VERSION\s+CAMERAS\s+CONFIG$/);
    expect(lines[1]).toMatch(/^gate-pi\s+Gate Pi\s+online\s+\d+d ago\s+0\.1\.0\s+1\s+v3 applied$/);
    expect(lines[2]).toMatch(/^yard-nuc\s+offline\s+.*v3 pending \(runs v2\)$/);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([device(), offline]);
    expect(hub.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk_env_key', 'Bearer sk_env_key']);
  });

  it('creates a device and prints its token and the edge command; --hub and --api-key override the environment', async () => {
    hub.on('POST /api/v1/devices', { status: 201, json: { device: device({ enrolled: false }), enrollment: enrollment() } });
    const r = await run(['devices', 'create', 'gate-pi', '--name', 'Gate Pi', '--hub', `${hub.url}/`, '--api-key', 'sk_flag'], { SIGHTLINE_HUB: 'http://127.0.0.1:1' });
    expect(r.code, r.stderr).toBe(0);
    const request = hub.last('POST /api/v1/devices');
    expect(JSON.parse(request.body)).toEqual({ id: 'gate-pi', name: 'Gate Pi' });
    expect(request.headers.authorization).toBe('Bearer sk_flag');
    expect(r.stdout).toContain('created device gate-pi');
    expect(r.stdout).toContain(`enrollment token: ${enrollment().token}`);
    expect(r.stdout).toContain('expires: 2026-11-04 12:00:00');
    expect(r.stdout).toContain(`  ${enrollment().command}\n`);
  });

  it('makes a new token, building the edge command from --hub when the hub gives none', async () => {
    hub.on('POST /api/v1/devices/gate-pi/enrollment-token', { status: 201, json: enrollment({ token: 'enr_fresh_token_1', command: '' }) });
    const r = await run(['devices', 'token', 'gate-pi']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`sightline edge --hub ${hub.url} --token enr_fresh_token_1`);
  });

  it('prints a hub error as "error: <message> (<code>)" and exits 1 (real entry point)', async () => {
    hub.on('GET /api/v1/devices/nope', apiError(404, 'not_found', 'no device "nope"'));
    const r = await runCli(['devices', 'get', 'nope'], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('error: no device "nope" (not_found)');
    expect(r.stdout).toBe('');
  });

  it('hints at the missing key on 401 and at --hub when the hub is unreachable', async () => {
    hub.on('GET /api/v1/devices', apiError(401, 'unauthorized', 'an API key is required'));
    const port = await closedPort();
    const noKey = await run(['devices', 'list'], { SIGHTLINE_API_KEY: '' });
    const offline = await run(['devices', 'list', '--hub', `http://127.0.0.1:${port}`]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('error: an API key is required (unauthorized)');
    expect(noKey.stderr).toContain('hint: pass an API key with --api-key KEY or SIGHTLINE_API_KEY');
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(new RegExp(`error: cannot reach the hub at http://127\\.0\\.0\\.1:${port}/api/v1/devices: .*ECONNREFUSED.* \\(unreachable\\)`));
    expect(offline.stderr).toContain('hint: is the hub running?');
  });

  it('refuses bad arguments with exit 2 before calling the hub', async () => {
    const missing = await run(['devices', 'get']);
    const badHub = await run(['devices', 'list', '--hub', 'ftp://hub']);
    const unknown = await run(['devices', 'reboot', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('devices get needs <id>');
    expect(badHub.code).toBe(2);
    expect(badHub.stderr).toContain('--hub must be an http(s) URL');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown devices subcommand "reboot"');
    expect(hub.requests).toHaveLength(0);
  });
});

describe('sightline cameras', () => {
  it('adds a camera with zones and lines from the same YAML as analyze --config', async () => {
    const config = join(work, 'dock.yaml');
    await writeFile(config, 'zones:\n  - id: bay\n    polygon: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]]\n    loiterSeconds: 30\nlines:\n  - id: gate\n    a: [0.5, 0.1]\n    b: [0.5, 0.9]\n');
    hub.on('POST /api/v1/cameras', (req) => {
      const body = JSON.parse(req.body) as { deviceId: string; analytics: never };
      return { status: 201, json: camera({ config: { ...camera().config, analytics: body.analytics, enabled: false } }) };
    });
    const r = await run(['cameras', 'add', 'dock', '--device', 'gate-pi', '--source', 'rtsp://admin:secret@10.0.0.5/stream', '--fps', '10', '--config', config, '--disabled']);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(hub.last('POST /api/v1/cameras').body);
    expect(body).toMatchObject({ id: 'dock', deviceId: 'gate-pi', source: 'rtsp://admin:secret@10.0.0.5/stream', fps: 10, enabled: false });
    expect(body.analytics.zones).toEqual([
      { id: 'bay', polygon: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]], loiterSeconds: 30, filter: { minConfidence: 0, minArea: 0, anchor: 'bottom-center' } },
    ]);
    expect(body.analytics.lines[0]).toMatchObject({ id: 'gate', a: [0.5, 0.1], b: [0.5, 0.9], invert: false });
    expect(r.stdout).toContain('added camera dock to device gate-pi');
    expect(r.stdout).toMatch(/analytics\s+1 zone, 1 line/);
    expect(r.stdout).toContain('zone bay: 3 points, loiter after 30 s');
  });

  it('updates only the options given, and needs at least one', async () => {
    hub.on('PATCH /api/v1/cameras/dock', { json: camera({ configVersion: 4, applied: null }) });
    const update = await run(['cameras', 'update', 'dock', '--enabled', '--model', 'yolov8n', '--no-motion']);
    const nothing = await run(['cameras', 'update', 'dock']);
    const badConfig = await run(['cameras', 'update', 'dock', '--config', join(work, 'missing.yaml')]);
    expect(update.code, update.stderr).toBe(0);
    expect(JSON.parse(hub.last('PATCH /api/v1/cameras/dock').body)).toEqual({ model: 'yolov8n', enabled: true, motion: false });
    expect(update.stdout).toMatch(/config\s+v4 pending/);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('needs at least one camera option');
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toContain('cannot read analytics config');
    expect(hub.requests).toHaveLength(1);
  });

  it('lists the cameras of one device with the source password hidden', async () => {
    const withPassword = camera({ config: { ...camera().config, source: 'rtsp://admin:secret@10.0.0.5/stream' } });
    hub.on('GET /api/v1/cameras', { json: [withPassword] });
    const r = await run(['cameras', 'list', '--device', 'gate-pi']);
    expect(r.code, r.stderr).toBe(0);
    expect(hub.last('GET /api/v1/cameras').query.get('deviceId')).toBe('gate-pi');
    expect(r.stdout).toMatch(/^dock\s+gate-pi\s+Loading dock\s+rtsp:\/\/admin:\*\*\*@10\.0\.0\.5\/stream\s+yolox-nano\s+5\s+yes\s+whole frame\s+running 5\.0 fps\s+v3 applied$/m);
    expect(r.stdout).not.toContain('secret');
  });
});

describe('sightline events', () => {
  it('lists events with the filters as query parameters and a relative --since', async () => {
    const zoneExit = storedEvent({ type: 'zone.exit', zoneId: 'bay', dwell: 12.34 } as never);
    const crossing = storedEvent();
    hub.on('GET /api/v1/events', { json: { events: [zoneExit, crossing], nextCursor: crossing.event.id } });
    const before = Date.now();
    const r = await run(['events', 'list', '--camera', 'dock', '--type', 'line.cross', '--label', 'person', '--track', '7', '--since', '10m', '--limit', '5']);
    expect(r.code, r.stderr).toBe(0);
    const query = Object.fromEntries(hub.last('GET /api/v1/events').query);
    expect(query).toMatchObject({ cameraId: 'dock', type: 'line.cross', label: 'person', trackId: '7', limit: '5' });
    expect(Number(query.from)).toBeGreaterThanOrEqual(before - 600_000 - 1000);
    expect(Number(query.from)).toBeLessThanOrEqual(Date.now() - 600_000 + 1000);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+CAMERA\s+TYPE\s+LABEL\s+TRACK\s+WHERE\s+DETAIL\s+CONF$/);
    expect(lines[1]).toMatch(/^2026-11-03 12:00:\d\d\s+dock\s+zone\.exit\s+person\s+#7\s+bay\s+12\.3 s\s+0\.91$/);
    expect(lines[2]).toMatch(/^2026-11-03 12:00:\d\d\s+dock\s+line\.cross\s+person\s+#7\s+gate\s+in\s+0\.91$/);
    expect(r.stderr).toContain(`more events: add --cursor ${crossing.event.id}`);
  });

  it('rejects a bad filter with exit 2', async () => {
    const type = await run(['events', 'list', '--type', 'zone.party']);
    const since = await run(['events', 'list', '--since', 'yesterday']);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain('--type must be one of zone.enter, zone.exit, zone.loiter, line.cross');
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since must be a duration ago');
  });

  it('prints counts per bucket with a total', async () => {
    hub.on('GET /api/v1/counts', { json: counts() });
    const r = await run(['events', 'counts', '--from', '2026-11-03T00:00:00Z', '--to', '2026-11-04T00:00:00Z', '--bucket', 'hour', '--line', 'gate']);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.fromEntries(hub.last('GET /api/v1/counts').query)).toEqual({
      from: String(Date.UTC(2026, 10, 3)),
      to: String(Date.UTC(2026, 10, 4)),
      bucket: 'hour',
      lineId: 'gate',
    });
    expect(r.stdout).toMatch(/^HOUR\s+CAMERA\s+TYPE\s+WHERE\s+DIR\s+LABEL\s+COUNT$/m);
    expect(r.stdout).toMatch(/^2026-11-03 12:00:00\s+dock\s+line\.cross\s+gate\s+in\s+person\s+14$/m);
    expect(r.stdout).toMatch(/^total 17$/m);
  });

  it('follows the live stream, printing each event as JSON Lines, until Ctrl-C (real entry point)', async () => {
    const live = [storedEvent(), storedEvent({ label: 'forklift' })];
    let connected!: () => void;
    const isConnected = new Promise<void>((resolve) => (connected = resolve));
    hub.on('GET /api/v1/events/stream', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': ping\n\n');
      connected();
      for (const e of live) {
        await new Promise((r) => setTimeout(r, 20));
        res.write(`event: sightline-event\ndata: ${JSON.stringify(e)}\n\n`);
      }
    });
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../src/main.ts', import.meta.url)), 'events', 'follow', '--camera', 'dock', '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const twoLines = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.split('\n').length > live.length) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await isConnected;
    await twoLines;
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
    expect(stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual(live);
    expect(stderr).toContain(`following events from ${hub.url}`);
    expect(hub.last('GET /api/v1/events/stream').query.get('cameraId')).toBe('dock');
  });
});

describe('time options', () => {
  const now = Date.UTC(2026, 10, 3, 12, 0, 0);

  it('reads durations ago, now, Unix ms and ISO times', () => {
    expect(parseTimeArg('since', '10m', now)).toBe(now - 600_000);
    expect(parseTimeArg('since', '1.5h', now)).toBe(now - 5_400_000);
    expect(parseTimeArg('since', '7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseTimeArg('until', 'now', now)).toBe(now);
    expect(parseTimeArg('from', '1762171200000', now)).toBe(1762171200000);
    expect(parseTimeArg('from', '2026-11-03T08:00:00Z', now)).toBe(Date.UTC(2026, 10, 3, 8));
    expect(parseTimeArg('from', '2026-11-03T09:00:00+01:00', now)).toBe(Date.UTC(2026, 10, 3, 8));
    expect(parseTimeArg('from', undefined, now)).toBeUndefined();
  });

  it('refuses anything else with a usage error naming the option', () => {
    for (const bad of ['yesterday', '10', '-5m', '2026-13-45', '']) {
      expect(() => parseTimeArg('since', bad, now), bad).toThrow(UsageError);
    }
    expect(() => parseTimeArg('until', 'soon', now)).toThrow(/--until must be a duration ago/);
  });
});
