import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isRunning, processesOwnedBy, SESSION_UID_BASE, socketPath, type StreamSession } from '../src/index.js';
import { colorSession } from './support/color-session.js';

const appDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('sightline-app-') || name.startsWith('sightline-display-'));

async function expectNothingLeft(session: StreamSession, pids: number[], uid: number, files: string[]): Promise<void> {
  expect(session.state).toBe('ended');
  for (const pid of pids) expect(isRunning(pid), `pid ${pid}`).toBe(false);
  expect(processesOwnedBy(uid)).toEqual([]);
  for (const file of files) expect(existsSync(file), file).toBe(false);
  expect(session.pids).toEqual({ xvfb: undefined, app: [], ffmpeg: [] });
}

describe('ending a session', () => {
  it('kills the app, its children, a daemonised grandchild, Xvfb and ffmpeg, even when the app ignores SIGTERM', async () => {
    const before = appDirs();
    const session = colorSession({ appArgs: ['--ignore-term'], appStopGraceMs: 500 });
    await session.start();
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the app spawn its children
    const uid = SESSION_UID_BASE + session.display.number;
    const pids = session.pids;
    // The app runs as the session's own unprivileged user, with its helpers.
    expect(processesOwnedBy(uid).length).toBeGreaterThanOrEqual(3);
    expect(pids.app.length).toBeGreaterThanOrEqual(3);
    const all = [pids.xvfb!, ...pids.app, ...pids.ffmpeg];
    const files = [socketPath(session.display.name), session.display.clientAuthFile];
    const startedAt = performance.now();
    await session.end();
    console.log(`end() took ${(performance.now() - startedAt).toFixed(0)} ms (app ignoring SIGTERM, grace 500 ms)`);
    await expectNothingLeft(session, all, uid, files);
    expect(appDirs()).toEqual(before);
    expect(session.endReason).toBe('ended');
  });

  it('ends by itself when the player sends no input for the idle timeout', async () => {
    const session = colorSession({ idleTimeoutMs: 800 });
    await session.start();
    const uid = SESSION_UID_BASE + session.display.number;
    const pids = session.pids;
    const ended = new Promise((resolve) => session.once('ended', resolve));
    await new Promise((resolve) => setTimeout(resolve, 500));
    session.input({ type: 'mouse-move', x: 0.1, y: 0.1 }); // input postpones it
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(session.state).toBe('running');
    expect(await ended).toBe('idle-timeout');
    await expectNothingLeft(session, [pids.xvfb!, ...pids.app, ...pids.ffmpeg], uid, []);
  });

  it('ends at the maximum duration, and when the app exits', async () => {
    const capped = colorSession({ maxDurationMs: 700 });
    await capped.start();
    expect(await new Promise((resolve) => capped.once('ended', resolve))).toBe('max-duration');

    const session = colorSession();
    await session.start();
    const pids = session.pids;
    const ended = new Promise((resolve) => session.once('ended', resolve));
    process.kill(pids.app[0]!, 'SIGKILL');
    expect(await ended).toBe('app-exited');
    await expectNothingLeft(session, [pids.xvfb!, ...pids.ffmpeg], SESSION_UID_BASE + session.display.number, []);
  });

  it('a session whose app cannot start ends cleanly', async () => {
    const broken = colorSession({ app: { command: '/nonexistent/game' } });
    const ended = new Promise((resolve) => broken.once('ended', resolve));
    await broken.start().catch(() => undefined);
    expect(await ended).toMatch(/app-exited|start-failed/);
    expect(broken.pids).toEqual({ xvfb: undefined, app: [], ffmpeg: [] });
  });
});
