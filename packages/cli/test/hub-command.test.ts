import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, freePort, startHubProcess } from './support/fleet-processes.js';
import { parseIceServer } from '../src/commands/hub.js';

describe('sightline hub', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('refuses to start on a database migrated by a newer hub, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-hub-cmd-'));
    dirs.push(dir);
    const first = await startHubProcess(dir, { http: await freePort(), mqtt: await freePort() });
    expect(await first.proc.kill('SIGTERM')).toBe(0);
    const db = new Database(join(dir, 'hub.sqlite'));
    db.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('0999_from_the_future', '2030-01-01T00:00:00Z')").run();
    db.close();

    const second = new CliProcess(['hub', '--data-dir', dir, '--host', '127.0.0.1', '--port', '0', '--mqtt-port', '0', '--mqtt-ws-port', 'off']);
    expect(await second.exited).toBe(1);
    expect(second.output).toContain('the database schema is newer than this hub');
    expect(second.output).toContain('0999_from_the_future');
  });

  it('rejects bad flags with a usage error', async () => {
    const proc = new CliProcess(['hub', '--db', 'mysql://x', '--port', '0']);
    expect(await proc.exited).toBe(2);
    expect(proc.output).toContain('--db must be a postgres:// URL or a SQLite file path');
    const edge = new CliProcess(['edge', '--token', 'abc']);
    expect(await edge.exited).toBe(2);
    expect(edge.output).toContain('--token needs --hub');
  });

  it('reads ICE servers for live video, moving TURN credentials out of the URL', () => {
    expect(parseIceServer('stun:stun.example.org:3478')).toEqual({ urls: 'stun:stun.example.org:3478' });
    expect(parseIceServer('turn://user:p%40ss@turn.example.org:3478?transport=tcp')).toEqual({
      urls: 'turn:turn.example.org:3478?transport=tcp',
      username: 'user',
      credential: 'p@ss',
    });
    expect(() => parseIceServer('http://nope')).toThrow(/--ice-server must look like/);
  });
});
