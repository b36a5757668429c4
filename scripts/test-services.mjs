#!/usr/bin/env node
// Throwaway PostgreSQL and mosquitto for the test suite, on 127.0.0.1 only, each run in its own temp folder.
//
//   node scripts/test-services.mjs start [--owner PID] [--no-postgres] [--no-mosquitto]
//       prints `export NAME='value'` lines for the shell (diagnostics go to stderr)
//   node scripts/test-services.mjs stop [DIR]
//       stops the services of DIR (or of $SIGHTLINE_TEST_SERVICES_DIR); with neither, every orphaned run
//   node scripts/test-services.mjs stop --all
//       stops every run under the shared base folder, orphaned or not
//
// A run records its pids and its owner's pid in DIR/state.json. A run whose owner has died (a crashed
// test run) is stopped by the next start, so nothing outlives a crash for long. Without --owner a CLI run
// is never swept: the caller (CI) must stop it.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const SERVICES_BASE = join(tmpdir(), 'sightline-test-services');
const PG_PREFERRED_PORT = 55432;
const MOSQUITTO_PREFERRED_PORT = 18830;
const MOSQUITTO_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';
const MOSQUITTO_ADMIN_USER = 'admin';
const MOSQUITTO_MAX_PACKET = 4194304;
const START_ATTEMPTS = 3;

const isRoot = () => process.getuid?.() === 0;

/** Where the PostgreSQL server binaries are: version 15 if present, else the newest installed. */
export function findPostgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  const chosen = versions.includes('15') ? '15' : versions[0];
  return chosen ? join(root, chosen, 'bin') : undefined;
}

/** The mosquitto broker, mosquitto_ctrl and the dynamic security plugin, or undefined if one is missing. */
export function findMosquitto() {
  const broker = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find(existsSync);
  const ctrl = ['/usr/bin/mosquitto_ctrl', '/usr/local/bin/mosquitto_ctrl'].find(existsSync);
  if (!broker || !ctrl || !existsSync(MOSQUITTO_PLUGIN)) return undefined;
  return { broker, ctrl, plugin: MOSQUITTO_PLUGIN };
}

function isPortFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function anyFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// The preferred port on the first try, any free one after that (another run may hold the preferred one).
async function choosePort(preferred, attempt) {
  if (attempt === 0 && (await isPortFree(preferred))) return preferred;
  return anyFreePort();
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

// Guards against killing an unrelated process that reused a recorded pid.
function commandLineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Runs a command as `user` when this process is root (initdb refuses root), else as ourselves. */
function runAs(user, file, args) {
  if (isRoot() && user) return run('runuser', ['-u', user, '--', file, ...args]);
  return run(file, args);
}

async function ownDirFor(user, dir) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (isRoot() && user) {
    const { uid, gid } = await lookupUser(user);
    await chown(dir, uid, gid);
  }
}

async function lookupUser(name) {
  const { stdout } = await run('id', ['-u', name]);
  const { stdout: group } = await run('id', ['-g', name]);
  return { uid: Number(stdout.trim()), gid: Number(group.trim()) };
}

async function startPostgres(dir, binDir) {
  const user = isRoot() ? 'postgres' : undefined;
  const pgDir = join(dir, 'pg');
  const dataDir = join(pgDir, 'data');
  const logFile = join(pgDir, 'server.log');
  await ownDirFor(user, pgDir);
  await runAs(user, join(binDir, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--locale=C']);
  let lastError;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await choosePort(PG_PREFERRED_PORT, attempt);
    const options = [
      `-p ${port}`,
      `-k ${pgDir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    try {
      await runAs(user, join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '20', '-o', options, 'start']);
      const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return { port, pid, dataDir, binDir, logFile, user: user ?? null };
    } catch (error) {
      lastError = error;
    }
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
  throw new Error(`PostgreSQL did not start: ${lastError?.message ?? 'unknown error'}\n${log}`);
}

function mosquittoConfig({ port, plugin, dynsecFile, logFile, user }) {
  return [
    'per_listener_settings false',
    'allow_anonymous false',
    `listener ${port} 127.0.0.1`,
    `plugin ${plugin}`,
    `plugin_opt_config_file ${dynsecFile}`,
    `max_packet_size ${MOSQUITTO_MAX_PACKET}`,
    // Small acks otherwise wait ~40 ms for Nagle's algorithm and the peer's delayed TCP ACK.
    'set_tcp_nodelay true',
    'persistence false',
    `log_dest file ${logFile}`,
    // "all" includes debug, which is where mosquitto 2.0 reports denied publishes and subscribes.
    'log_type all',
    'connection_messages true',
    'log_timestamp_format %Y-%m-%dT%H:%M:%S',
    ...(user ? [`user ${user}`] : []),
    '',
  ].join('\n');
}

async function startMosquitto(dir, tools) {
  const user = isRoot() ? 'mosquitto' : undefined;
  const mosqDir = join(dir, 'mosquitto');
  const dynsecFile = join(mosqDir, 'dynamic-security.json');
  const logFile = join(mosqDir, 'mosquitto.log');
  const stderrFile = join(mosqDir, 'stderr.log');
  const confFile = join(mosqDir, 'mosquitto.conf');
  const adminPassword = randomBytes(12).toString('hex');
  await mkdir(mosqDir, { recursive: true, mode: 0o700 });
  await run(tools.ctrl, ['dynsec', 'init', dynsecFile, MOSQUITTO_ADMIN_USER, adminPassword]);
  await writeFile(logFile, '');
  // The broker drops root for the mosquitto user and then saves the dynsec file beside itself.
  if (user) {
    const { uid, gid } = await lookupUser(user);
    for (const path of [mosqDir, dynsecFile, logFile]) await chown(path, uid, gid);
  }
  let lastError;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await choosePort(MOSQUITTO_PREFERRED_PORT, attempt);
    await writeFile(confFile, mosquittoConfig({ port, plugin: tools.plugin, dynsecFile, logFile, user }));
    const stderrFd = openSync(stderrFile, 'a');
    const child = spawn(tools.broker, ['-c', confFile], { detached: true, stdio: ['ignore', stderrFd, stderrFd] });
    closeSync(stderrFd);
    child.unref();
    let exited = false;
    child.once('exit', () => (exited = true));
    const deadline = Date.now() + 5000;
    while (!exited && Date.now() < deadline) {
      if (await canConnect(port)) {
        return { port, pid: child.pid, confFile, logFile, dynsecFile, adminUser: MOSQUITTO_ADMIN_USER, adminPassword };
      }
      await sleep(25);
    }
    if (!exited) process.kill(child.pid, 'SIGKILL');
    lastError = new Error(`mosquitto did not listen on 127.0.0.1:${port}`);
  }
  const log = [logFile, stderrFile].filter(existsSync).map((f) => readFileSync(f, 'utf8').slice(-1500)).join('\n');
  throw new Error(`${lastError.message}\n${log}`);
}

/** The environment contract the tests read. */
export function environmentOf(state) {
  const env = { SIGHTLINE_TEST_SERVICES_DIR: state.dir };
  if (state.postgres) env.SIGHTLINE_TEST_PG_URL = `postgres://postgres@127.0.0.1:${state.postgres.port}/postgres`;
  if (state.mosquitto) {
    env.SIGHTLINE_TEST_MOSQUITTO_URL = `mqtt://127.0.0.1:${state.mosquitto.port}`;
    env.SIGHTLINE_TEST_MOSQUITTO_ADMIN_USER = state.mosquitto.adminUser;
    env.SIGHTLINE_TEST_MOSQUITTO_ADMIN_PASSWORD = state.mosquitto.adminPassword;
    env.SIGHTLINE_TEST_MOSQUITTO_LOG = state.mosquitto.logFile;
  }
  return env;
}

/**
 * Starts the services asked for (both by default) in a fresh folder under SERVICES_BASE.
 * A service whose binaries are missing is left out with a warning rather than failing the whole start.
 * Returns { dir, env, warnings, postgres, mosquitto }.
 */
export async function startTestServices({ postgres = true, mosquitto = true, owner = null } = {}) {
  await stopOrphanedRuns();
  await mkdir(SERVICES_BASE, { recursive: true });
  await chmod(SERVICES_BASE, 0o1777).catch(() => {});
  const dir = await mkdtemp(join(SERVICES_BASE, 'run-'));
  // The postgres and mosquitto users must be able to reach their subfolders.
  await chmod(dir, 0o711);
  const state = { dir, owner, startedBy: userInfo().username, postgres: null, mosquitto: null };
  const warnings = [];
  const save = () => writeFile(join(dir, 'state.json'), JSON.stringify(state, null, 2), { mode: 0o600 });
  await save();

  const pgBin = postgres ? findPostgresBin() : undefined;
  if (postgres && !pgBin) warnings.push('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: SIGHTLINE_TEST_PG_URL is not set');
  const mosqTools = mosquitto ? findMosquitto() : undefined;
  if (mosquitto && !mosqTools) warnings.push(`mosquitto, mosquitto_ctrl or ${MOSQUITTO_PLUGIN} not found: SIGHTLINE_TEST_MOSQUITTO_* are not set`);

  const [pgResult, mosqResult] = await Promise.allSettled([
    pgBin ? startPostgres(dir, pgBin) : Promise.resolve(null),
    mosqTools ? startMosquitto(dir, mosqTools) : Promise.resolve(null),
  ]);
  state.postgres = pgResult.status === 'fulfilled' ? pgResult.value : null;
  state.mosquitto = mosqResult.status === 'fulfilled' ? mosqResult.value : null;
  await save();
  const failures = [pgResult, mosqResult].filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failures.length > 0) {
    await stopTestServices(dir);
    throw new AggregateError(failures, failures.map((e) => e.message).join('\n'));
  }
  return { dir, env: environmentOf(state), warnings, postgres: state.postgres, mosquitto: state.mosquitto };
}

async function stopPostgres(pg) {
  if (!pg) return;
  if (existsSync(join(pg.dataDir, 'postmaster.pid'))) {
    await runAs(pg.user, join(pg.binDir, 'pg_ctl'), ['-D', pg.dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop']).catch(() => {});
  }
  if (isAlive(pg.pid) && commandLineOf(pg.pid).includes(pg.dataDir)) process.kill(pg.pid, 'SIGKILL');
}

async function stopMosquitto(mosq) {
  if (!mosq || !isAlive(mosq.pid) || !commandLineOf(mosq.pid).includes(mosq.confFile)) return;
  process.kill(mosq.pid, 'SIGTERM');
  for (let i = 0; i < 40 && isAlive(mosq.pid); i++) await sleep(50);
  if (isAlive(mosq.pid)) process.kill(mosq.pid, 'SIGKILL');
}

/** Stops whatever state.json in `dir` records and removes the folder. Safe to call twice. */
export async function stopTestServices(dir) {
  if (!dir || !existsSync(dir)) return;
  let state = {};
  try {
    state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
  } catch {
    // A run that crashed before writing its state has nothing running to stop.
  }
  await Promise.all([stopPostgres(state.postgres), stopMosquitto(state.mosquitto)]);
  await rm(dir, { recursive: true, force: true });
}

function runDirs() {
  if (!existsSync(SERVICES_BASE)) return [];
  return readdirSync(SERVICES_BASE).filter((name) => name.startsWith('run-')).map((name) => join(SERVICES_BASE, name));
}

/** Stops runs whose owner process has died; runs without an owner are left to whoever started them. */
export async function stopOrphanedRuns() {
  for (const dir of runDirs()) {
    try {
      const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
      if (state.owner && !isAlive(state.owner)) await stopTestServices(dir);
    } catch {
      // No readable state: remove it once it is clearly not a run that is still starting.
      const { mtimeMs } = await stat(dir).catch(() => ({ mtimeMs: Date.now() }));
      if (Date.now() - mtimeMs > 10 * 60_000) await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  }
}

const shellQuote = (value) => `'${String(value).replace(/'/g, `'\\''`)}'`;

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === 'start') {
    const ownerIndex = rest.indexOf('--owner');
    const owner = ownerIndex >= 0 ? Number(rest[ownerIndex + 1]) : null;
    if (ownerIndex >= 0 && !isAlive(owner)) throw new Error(`--owner ${rest[ownerIndex + 1]} is not a running process`);
    const started = await startTestServices({
      postgres: !rest.includes('--no-postgres'),
      mosquitto: !rest.includes('--no-mosquitto'),
      owner,
    });
    for (const warning of started.warnings) console.error(`test-services: WARNING: ${warning}`);
    for (const [name, value] of Object.entries(started.env)) console.log(`export ${name}=${shellQuote(value)}`);
    console.error(`test-services: started in ${started.dir}`);
    return;
  }
  if (command === 'stop') {
    if (rest.includes('--all')) {
      for (const dir of runDirs()) await stopTestServices(dir);
      return;
    }
    const dir = rest[0] ?? process.env.SIGHTLINE_TEST_SERVICES_DIR;
    if (dir) await stopTestServices(dir);
    else await stopOrphanedRuns();
    return;
  }
  throw new Error('usage: test-services.mjs start [--owner PID] [--no-postgres] [--no-mosquitto] | stop [DIR | --all]');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`test-services: ${error.message}`);
    process.exit(1);
  });
}
