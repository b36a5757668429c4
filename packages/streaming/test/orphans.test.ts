import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRunning, processesOwnedBy, SESSION_UID_BASE, type SessionPids } from '../src/index.js';
import { colorSession } from './support/color-session.js';

const HOST = fileURLToPath(new URL('./support/orphan-host.ts', import.meta.url));

type OrphanPids = SessionPids & { display: number; authFile: string };

/** A SIGKILLed host cannot remove its temporary dirs: the display's, and the app's (owned by the session uid). */
function removeTempDirsOf(pids: OrphanPids): void {
  rmSync(dirname(pids.authFile), { recursive: true, force: true });
  const uid = SESSION_UID_BASE + pids.display;
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (name.startsWith('sightline-app-') && statSync(path).uid === uid) rmSync(path, { recursive: true, force: true });
  }
}

async function startHost(args: string[]): Promise<{ pid: number; pids: OrphanPids }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`host exited with ${code}`)));
  });
  return { pid: child.pid!, pids: JSON.parse(line) as OrphanPids };
}

function refusesConnections(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}

describe('a host that is SIGKILLed', () => {
  it('takes Xvfb, ffmpeg and the app down with it (PR_SET_PDEATHSIG)', async () => {
    const { pid, pids } = await startHost([]);
    const all = [pids.xvfb!, ...pids.app, ...pids.ffmpeg];
    expect(all.every(isRunning)).toBe(true);
    process.kill(pid, 'SIGKILL');
    const startedAt = performance.now();
    expect(await waitUntil(() => !all.some(isRunning), 3000)).toBe(true);
    removeTempDirsOf(pids);
    console.log(`session processes gone ${(performance.now() - startedAt).toFixed(0)} ms after the host was SIGKILLed`);
  });

  it("leaves an app's own children, which the next session on that uid sweeps away", async () => {
    const { pid, pids } = await startHost(['--ignore-term']);
    const uid = SESSION_UID_BASE + pids.display;
    process.kill(pid, 'SIGKILL');
    expect(await waitUntil(() => !isRunning(pids.xvfb!), 3000)).toBe(true);
    // Honest about the limit: the leader died, its children (not X clients) did not.
    expect(processesOwnedBy(uid).length).toBeGreaterThan(0);
    removeTempDirsOf(pids);
    // A session that gets that display number, hence that uid, again starts by killing them. (Xvfb picks the lowest
    // free number, and the dead one's number is free again, so the next session usually gets it.)
    const leftovers = processesOwnedBy(uid);
    const next = colorSession();
    await next.start();
    try {
      if (next.display.number === pids.display) expect(leftovers.some(isRunning)).toBe(false);
      else console.log('another display number was taken: the sweep on reuse was not exercised');
    } finally {
      await next.end();
      for (const leftover of leftovers) if (isRunning(leftover)) process.kill(leftover, 'SIGKILL');
      // The dead Xvfb's socket file, unless a live server has taken that number again since.
      const stale = `/tmp/.X11-unix/X${pids.display}`;
      if (existsSync(stale) && (await refusesConnections(stale))) rmSync(stale, { force: true });
    }
  });
});
