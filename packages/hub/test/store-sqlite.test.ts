import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, createStore, parseStoreUrl } from '../src/store/index.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const STORE_MODULE = resolve(import.meta.dirname, '../src/store/index.ts');
const FIXTURES_MODULE = resolve(import.meta.dirname, 'store-fixtures.ts');

describe('store url', () => {
  it('picks the backend and the SQLite file from the url', () => {
    expect(parseStoreUrl(undefined, '/data')).toEqual({ backend: 'sqlite', path: '/data/hub.sqlite' });
    expect(parseStoreUrl('', '/data')).toEqual({ backend: 'sqlite', path: '/data/hub.sqlite' });
    expect(parseStoreUrl('sqlite:', '/data')).toEqual({ backend: 'sqlite', path: '/data/hub.sqlite' });
    expect(parseStoreUrl('sqlite:/var/lib/hub.db', '/data')).toEqual({ backend: 'sqlite', path: '/var/lib/hub.db' });
    expect(parseStoreUrl('sqlite:///var/lib/hub.db', '/data')).toEqual({ backend: 'sqlite', path: '/var/lib/hub.db' });
    expect(parseStoreUrl('sqlite:store/hub.db', '/data')).toEqual({ backend: 'sqlite', path: '/data/store/hub.db' });
    expect(parseStoreUrl('/srv/hub.sqlite', '/data')).toEqual({ backend: 'sqlite', path: '/srv/hub.sqlite' });
    expect(parseStoreUrl('other.sqlite', '/data')).toEqual({ backend: 'sqlite', path: '/data/other.sqlite' });
    expect(parseStoreUrl('postgres://u:p@db:5432/hub', '/data')).toEqual({ backend: 'postgres', connectionString: 'postgres://u:p@db:5432/hub' });
    expect(parseStoreUrl('postgresql://db/hub', '/data')).toEqual({ backend: 'postgres', connectionString: 'postgresql://db/hub' });
  });

  it('rejects an unknown scheme with a message that names the supported ones and hides the password', () => {
    expect(() => createStore({ url: 'mysql://root:hunter2@db/hub', dataDir: '/data' })).toThrow(
      /unsupported store url scheme "mysql:".*root:\*\*\*@db.*postgres:\/\/.*sqlite:/,
    );
    expect(() => createStore({ url: 'mysql://root:hunter2@db/hub', dataDir: '/data' })).not.toThrow(/hunter2/);
  });
});

describe('SQLite store file', () => {
  let dataDir: string;
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates <dataDir>/hub.sqlite in WAL mode with synchronous=NORMAL and a busy timeout', async () => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'sightline-sqlite-')), 'nested', 'data');
    const store = createStore({ dataDir });
    expect(store).toBeInstanceOf(SqliteStore);
    await store.migrate();
    expect((store as SqliteStore).connectionSettings()).toEqual({ journalMode: 'wal', synchronous: 'NORMAL', busyTimeoutMs: 5000 });
    await store.close();
    // WAL is recorded in the file itself, so any other connection sees it too.
    const db = new Sqlite(join(dataDir, 'hub.sqlite'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('keeps every acknowledged batch when the process is killed with SIGKILL mid-ingest', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sightline-sqlite-kill-'));
    const child = join(dataDir, 'ingest-forever.mts');
    writeFileSync(
      child,
      `import { createStore } from ${JSON.stringify(pathToFileURL(STORE_MODULE).href)};
import { makeEvent } from ${JSON.stringify(pathToFileURL(FIXTURES_MODULE).href)};
const store = createStore({ dataDir: ${JSON.stringify(dataDir)} });
await store.migrate();
for (let batch = 0; ; batch++) {
  const events = Array.from({ length: 500 }, (_, i) => makeEvent({ wallTime: 1_767_225_600_000 + batch * 500 + i }));
  await store.ingest('dev-1', events, [], Date.now());
  process.stdout.write('committed ' + (batch + 1) * 500 + '\\n');
}
`,
    );
    const proc = spawn(process.execPath, ['--import', 'tsx', child], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let acknowledged = 0;
    await new Promise<void>((resolvePromise, reject) => {
      let buffered = '';
      proc.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) acknowledged = Math.max(acknowledged, Number(line.split(' ')[1]));
        // Kill it while it is busy writing, well into the run.
        if (acknowledged >= 5000) {
          proc.kill('SIGKILL');
          resolvePromise();
        }
      });
      proc.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`ingest child exited early (${code}): ${stderr}`));
      });
    });
    await new Promise((r) => proc.once('close', r));

    const store = createStore({ dataDir });
    try {
      await store.migrate();
      const stored = await store.countEvents();
      expect(stored).toBeGreaterThanOrEqual(acknowledged);
      expect(stored % 500, 'batches are atomic').toBe(0);
    } finally {
      await store.close();
    }
  });
});
