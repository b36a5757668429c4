import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SightlineEvent } from '@sightline/protocol';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { createStore } from '../src/store/index.js';
import type { DeviceRow, NewSnapshot, Store } from '../src/store/index.js';

/** Test helpers for the store: one throwaway database per test on either backend, and event factories. */

export const PG_URL_VARIABLE = 'SIGHTLINE_TEST_PG_URL';

export interface TestDatabase {
  /** A new store on this test's database (not migrated). */
  open(): Store;
  /** Runs SQL directly on the database, around the store. */
  exec(statement: string): Promise<void>;
  dispose(): Promise<void>;
}

export type BackendName = 'sqlite' | 'postgres';

export async function createTestDatabase(backend: BackendName): Promise<TestDatabase> {
  return backend === 'sqlite' ? sqliteTestDatabase() : postgresTestDatabase();
}

function sqliteTestDatabase(): TestDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-store-'));
  return {
    open: () => createStore({ dataDir }),
    exec: (statement) => {
      const db = new Sqlite(join(dataDir, 'hub.sqlite'));
      try {
        db.exec(statement);
      } finally {
        db.close();
      }
      return Promise.resolve();
    },
    dispose: () => {
      rmSync(dataDir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

async function postgresTestDatabase(): Promise<TestDatabase> {
  const baseUrl = process.env[PG_URL_VARIABLE];
  if (!baseUrl) {
    throw new Error(
      `${PG_URL_VARIABLE} is not set, so the PostgreSQL store tests cannot run. Run vitest from the repository ` +
        "root with its config (its globalSetup starts a throwaway cluster), or point the variable at a PostgreSQL " +
        'server where the user may create databases, e.g. ' +
        `${PG_URL_VARIABLE}=postgres://postgres@127.0.0.1:55432/postgres (a throwaway cluster: ` +
        'initdb -D DIR -A trust -U postgres; pg_ctl -D DIR -o "-p 55432 -k /tmp -c listen_addresses=127.0.0.1" start).',
    );
  }
  // A schema per test rather than a database: CREATE DATABASE costs ~0.3 s, a schema almost nothing.
  const schema = `sightline_test_${randomBytes(6).toString('hex')}`;
  await withClient(baseUrl, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const schemaUrl = url.toString();
  return {
    open: () => createStore({ url: schemaUrl, dataDir: '/nonexistent' }),
    exec: (statement) => withClient(schemaUrl, (client) => client.query(statement)).then(() => undefined),
    dispose: () => withClient(baseUrl, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A UUIDv7 minted at `ms`, so ids sort by the event times the tests choose (unlike newId, which never goes back). */
export function uuidV7At(ms: number): string {
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | ((b[6] ?? 0) & 0x0f);
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface EventSpec {
  wallTime: number;
  cameraId?: string;
  label?: string;
  trackId?: number;
  kind?: 'enter' | 'exit' | 'loiter' | 'in' | 'out';
  zoneId?: string;
  lineId?: string;
}

export function makeEvent(spec: EventSpec): SightlineEvent {
  const base = {
    id: uuidV7At(spec.wallTime),
    cameraId: spec.cameraId ?? 'cam-a',
    sourceTs: (spec.wallTime % 100_000) / 1000,
    wallTime: spec.wallTime,
    frameIndex: spec.wallTime % 10_000,
    trackId: spec.trackId ?? 1,
    classId: spec.label === 'car' ? 2 : 0,
    label: spec.label ?? 'person',
    confidence: 0.875,
    bbox: [0.125, 0.25, 0.5, 0.75] as [number, number, number, number],
  };
  switch (spec.kind ?? 'enter') {
    case 'enter':
      return { ...base, type: 'zone.enter', zoneId: spec.zoneId ?? 'door' };
    case 'exit':
      return { ...base, type: 'zone.exit', zoneId: spec.zoneId ?? 'door', dwell: 4.5 };
    case 'loiter':
      return { ...base, type: 'zone.loiter', zoneId: spec.zoneId ?? 'door', dwell: 30.25 };
    case 'in':
      return { ...base, type: 'line.cross', lineId: spec.lineId ?? 'gate', direction: 'in' };
    case 'out':
      return { ...base, type: 'line.cross', lineId: spec.lineId ?? 'gate', direction: 'out' };
  }
}

/** A deterministic mix over three days: cameras, labels, zones, lines, directions and tracks all vary. */
export function mixedEvents(count: number, start: number): { deviceId: string; event: SightlineEvent }[] {
  const kinds = ['enter', 'exit', 'loiter', 'in', 'out'] as const;
  const out: { deviceId: string; event: SightlineEvent }[] = [];
  for (let i = 0; i < count; i++) {
    // Spread over ~3 days with uneven gaps so minute, hour and day buckets all get several groups.
    const wallTime = start + Math.floor((i * 259_200_000) / count) + ((i * 7919) % 45_000);
    const cameraId = ['cam-a', 'cam-b', 'cam-c'][i % 3] as string;
    const event = makeEvent({
      wallTime,
      cameraId,
      label: i % 4 === 0 ? 'car' : 'person',
      trackId: (i % 11) + 1,
      kind: kinds[i % 5],
      zoneId: i % 2 === 0 ? 'door' : 'lobby',
      lineId: i % 3 === 0 ? 'gate' : 'street',
    });
    out.push({ deviceId: cameraId === 'cam-c' ? 'dev-2' : 'dev-1', event });
  }
  return out;
}

export function snapshotFor(eventId: string, kind: 'crop' | 'frame'): NewSnapshot {
  return { eventId, kind, blobKey: `${eventId}/${kind}.jpg`, width: kind === 'crop' ? 96 : 640, height: kind === 'crop' ? 128 : 360, bytes: 4321 };
}

export function newDevice(id: string, overrides: Partial<DeviceRow> = {}): DeviceRow {
  return {
    id,
    name: `Device ${id}`,
    createdAt: 1_700_000_000_000,
    enrollmentTokenHash: null,
    enrollmentExpiresAt: null,
    enrolledAt: null,
    mqttPasswordHash: null,
    configVersion: 0,
    appliedVersion: null,
    appliedOk: null,
    appliedErrors: [],
    online: false,
    lastSeenAt: null,
    lastHeartbeat: null,
    outboxDropped: 0,
    kind: 'edge',
    ...overrides,
  };
}
