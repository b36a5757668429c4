import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** PostgreSQL and mosquitto for the bench: the test suite's if its variables are set, else started here. */
export interface BenchServices {
  /** A URL whose user may CREATE DATABASE; undefined when PostgreSQL is not available. */
  pgUrl?: string;
  /** mqtt://admin:password@host:port, a dynamic-security admin; undefined when mosquitto is not available. */
  mosquittoAdminUrl?: string;
  /** Process ids of the PostgreSQL postmaster and mosquitto where known, to account for their CPU. */
  pids: number[];
  /** Why a service is missing, for the report. */
  missing: string[];
  startedHere: boolean;
  stop(): Promise<void>;
}

interface TestServicesModule {
  startTestServices(options: { postgres?: boolean; mosquitto?: boolean; owner?: number | null }): Promise<{
    dir: string;
    env: Record<string, string>;
    warnings: string[];
    postgres: { pid: number } | null;
    mosquitto: { pid: number } | null;
  }>;
  stopTestServices(dir: string): Promise<void>;
}

const TEST_SERVICES_SCRIPT = fileURLToPath(new URL('../../../../scripts/test-services.mjs', import.meta.url));

export async function provideServices(need: { postgres: boolean; mosquitto: boolean }): Promise<BenchServices> {
  const env = process.env;
  const havePg = !!env.SIGHTLINE_TEST_PG_URL;
  const haveMosquitto = !!env.SIGHTLINE_TEST_MOSQUITTO_URL && !!env.SIGHTLINE_TEST_MOSQUITTO_ADMIN_USER;
  const startPg = need.postgres && !havePg;
  const startMosquitto = need.mosquitto && !haveMosquitto;
  const missing: string[] = [];
  let started: { dir: string; env: Record<string, string> } | undefined;
  const pids: number[] = [];
  let services: TestServicesModule | undefined;

  if (startPg || startMosquitto) {
    if (!existsSync(TEST_SERVICES_SCRIPT)) {
      missing.push(`${TEST_SERVICES_SCRIPT} not found: cannot start PostgreSQL or mosquitto (set SIGHTLINE_TEST_* to use running ones)`);
    } else {
      services = (await import(TEST_SERVICES_SCRIPT)) as TestServicesModule;
      try {
        const result = await services.startTestServices({ postgres: startPg, mosquitto: startMosquitto, owner: process.pid });
        started = result;
        missing.push(...result.warnings);
        for (const service of [result.postgres, result.mosquitto]) if (service) pids.push(service.pid);
      } catch (err) {
        missing.push(`test services did not start: ${(err as Error).message}`);
      }
    }
  }

  const from = (name: string) => env[name] ?? started?.env[name];
  const pgUrl = need.postgres ? from('SIGHTLINE_TEST_PG_URL') : undefined;
  const mqttUrl = from('SIGHTLINE_TEST_MOSQUITTO_URL');
  const adminUser = from('SIGHTLINE_TEST_MOSQUITTO_ADMIN_USER');
  const adminPassword = from('SIGHTLINE_TEST_MOSQUITTO_ADMIN_PASSWORD') ?? '';
  let mosquittoAdminUrl: string | undefined;
  if (need.mosquitto && mqttUrl && adminUser) {
    const url = new URL(mqttUrl);
    url.username = encodeURIComponent(adminUser);
    url.password = encodeURIComponent(adminPassword);
    mosquittoAdminUrl = url.toString().replace(/\/$/, '');
  }
  if (env.SIGHTLINE_TEST_SERVICES_DIR) pids.push(...pidsOfRunningServices(env.SIGHTLINE_TEST_SERVICES_DIR));
  return {
    pgUrl,
    mosquittoAdminUrl,
    pids,
    missing,
    startedHere: !!started,
    stop: async () => {
      if (started && services) await services.stopTestServices(started.dir);
    },
  };
}

/** The pids a test-services run recorded in its state.json, when the services came from the environment. */
function pidsOfRunningServices(dir: string): number[] {
  try {
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { postgres?: { pid?: unknown }; mosquitto?: { pid?: unknown } };
    return [state.postgres?.pid, state.mosquitto?.pid].filter((pid): pid is number => typeof pid === 'number');
  } catch {
    return [];
  }
}

/** A fresh, empty database for one configuration; returns its URL and a function that drops it. */
export async function createDatabase(serverUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
