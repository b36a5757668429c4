import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CreateAppRequestSchema, parseOrThrow, type CreateAppRequest } from '@sightline/protocol';
import { startHub } from '@sightline/hub';
import { catalogModels } from '@sightline/vision';
import { parseCommandArgs, parseNumberOption } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import { defaultDataDir } from '../default-data-dir.js';
import { waitForShutdownSignal } from '../wait-for-signal.js';

export const hubUsage = `sightline hub [options]

  Runs the hub: REST API (+ OpenAPI docs at /docs), event storage, device MQTT broker.
  --data-dir DIR        database, snapshots (default ${defaultDataDir('hub')})
  --db URL              postgres://user:pass@host:port/db to use PostgreSQL (default: SQLite in --data-dir)
  --mqtt URL            external mosquitto, mqtt://admin:pass@host:port, whose user administers dynamic security
                        (default: the embedded broker)
  --host H              listen address for HTTP and the embedded broker (default 0.0.0.0)
  --port N              HTTP port (default 8080)
  --mqtt-port N         embedded broker TCP port (default 1883)
  --mqtt-ws-port N|off  embedded broker WebSocket port (default 8083)
  --public-url URL      the hub URL as devices and people reach it (default: from each request)
  --mqtt-public-url URL the broker URL given to enrolling devices (default: from the request host)
  --retention-days N    keep events and snapshots this long (default 30; once an admin sets it in the console's
                        Settings, the stored value wins)
  --recordings-max-gb N budget for all cameras' recordings; past it the oldest are deleted first (default: none;
                        each camera's recording.retainDays applies either way)
  --ice-server URL      a STUN or TURN server for live video (turn://user:pass@host:port); repeat for more.
                        None is needed when viewers and edges reach the hub directly (the console's Settings
                        can change them at run time; the stored list then wins)
  --apps FILE           a JSON array of cloud-streaming apps (see packages/host/catalogue/test-apps.json) added to
                        the catalogue at start when it has no app of that id
  --live-grace-s N      seconds a camera keeps publishing after its last viewer left (default 15)
  --log-level L         trace, debug, info (default), warn, error`;

export async function hubCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    'data-dir': { type: 'string' },
    db: { type: 'string' },
    mqtt: { type: 'string' },
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string' },
    'mqtt-port': { type: 'string' },
    'mqtt-ws-port': { type: 'string' },
    'public-url': { type: 'string' },
    'mqtt-public-url': { type: 'string' },
    'retention-days': { type: 'string' },
    'recordings-max-gb': { type: 'string' },
    'ice-server': { type: 'string', multiple: true },
    'live-grace-s': { type: 'string' },
    apps: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.db && !/^(postgres(ql)?:\/\/|sqlite:|\/|\.)/.test(values.db)) {
    throw new UsageError(`--db must be a postgres:// URL or a SQLite file path, got "${values.db}"`);
  }
  if (values.mqtt && !/^(mqtts?|wss?):\/\//.test(values.mqtt)) {
    throw new UsageError(`--mqtt must be an mqtt://, mqtts://, ws:// or wss:// URL, got "${values.mqtt}"`);
  }
  const wsPort = values['mqtt-ws-port'] === 'off' ? null : parseNumberOption('mqtt-ws-port', values['mqtt-ws-port'], { min: 0, max: 65535, integer: true });
  const hub = await startHub({
    dataDir: values['data-dir'] ?? defaultDataDir('hub'),
    db: values.db,
    mqtt: values.mqtt,
    host: values.host,
    port: parseNumberOption('port', values.port, { min: 0, max: 65535, integer: true }) ?? 8080,
    mqttPort: parseNumberOption('mqtt-port', values['mqtt-port'], { min: 0, max: 65535, integer: true }) ?? 1883,
    mqttWsPort: wsPort === undefined ? 8083 : wsPort,
    publicUrl: values['public-url'],
    mqttPublicUrl: values['mqtt-public-url'],
    retentionDays: parseNumberOption('retention-days', values['retention-days'], { min: 1, max: 36500, integer: true }),
    recordingsMaxBytes: gigabytes(parseNumberOption('recordings-max-gb', values['recordings-max-gb'], { min: 0.001, max: 1_000_000 })),
    logLevel: values['log-level'],
    ice: { iceServers: (values['ice-server'] ?? []).map(parseIceServer) },
    liveGraceMs: (parseNumberOption('live-grace-s', values['live-grace-s'], { min: 0, max: 3600 }) ?? 15) * 1000,
    modelCatalogue: catalogModels(),
    apps: values.apps === undefined ? undefined : readAppCatalogue(values.apps),
  });
  process.stderr.write(`sightline hub: API ${hub.url}/api/v1, docs ${hub.url}/docs, devices connect to ${hub.mqttUrl}\n`);
  await waitForShutdownSignal();
  await hub.close();
  return 0;
}

/** The --apps file: every entry validated, and a bad one named by its place and field. */
export function readAppCatalogue(path: string): CreateAppRequest[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--apps ${path}: ${(error as Error).message}`);
  }
  return parseOrThrow(z.array(CreateAppRequestSchema).max(1000), json, `--apps ${path}`);
}

const gigabytes = (gb: number | undefined) => (gb === undefined ? undefined : Math.round(gb * 1024 ** 3));

/** `stun:host:port`, or `turn(s)://user:password@host:port` (credentials moved out of the URL, as WebRTC wants). */
export function parseIceServer(text: string): { urls: string; username?: string; credential?: string } {
  const m = /^(stuns?|turns?):(?:\/\/)?(?:([^:@/]+):([^@/]+)@)?([^/?#]+)(\?transport=(udp|tcp))?$/.exec(text);
  if (!m) throw new UsageError(`--ice-server must look like stun:host:port or turn://user:pass@host:port, got "${text}"`);
  const [, scheme, username, password, hostPort, transport] = m;
  const urls = `${scheme}:${hostPort}${transport ?? ''}`;
  return username ? { urls, username: decodeURIComponent(username), credential: decodeURIComponent(password!) } : { urls };
}
