import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const CLI = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}

/** A `sightline` child process whose output is kept for failure messages. */
export class CliProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

export interface HubPorts {
  http: number;
  mqtt: number;
}

export async function startHubProcess(dataDir: string, ports: HubPorts, extra: string[] = []): Promise<{ proc: CliProcess; url: string }> {
  const proc = new CliProcess([
    'hub',
    '--data-dir', dataDir,
    '--host', '127.0.0.1',
    '--port', String(ports.http),
    '--mqtt-port', String(ports.mqtt),
    '--mqtt-ws-port', 'off',
    '--log-level', 'warn',
    ...extra,
  ]);
  const url = `http://127.0.0.1:${ports.http}`;
  await waitFor(`the hub at ${url} (output: ${proc.output})`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`hub exited: ${proc.output}`);
    const res = await fetch(`${url}/api/v1/devices`);
    return res.status === 401;
  });
  return { proc, url };
}

export function startEdgeProcess(dataDir: string, args: string[] = []): CliProcess {
  return new CliProcess(['edge', '--data-dir', dataDir, '--heartbeat-s', '1', '--workers', '1', '--log-level', 'warn', ...args]);
}

/** Every event id the edge ever put in its outbox (delivered ones are kept for an hour). */
export function outboxEventIds(edgeDataDir: string): string[] {
  const path = `${edgeDataDir}/outbox.sqlite`;
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT id FROM outbox_events ORDER BY seq').all() as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

export function outboxPending(edgeDataDir: string): number {
  const db = new Database(`${edgeDataDir}/outbox.sqlite`, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM outbox_events WHERE delivered_at IS NULL').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A TCP relay between the edge and the broker that a test can cut (drop every connection, refuse new ones). */
export class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private cut = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((client) => {
      if (this.cut) return client.destroy();
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
  }

  setCut(cut: boolean): void {
    this.cut = cut;
    if (cut) for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.setCut(true);
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
