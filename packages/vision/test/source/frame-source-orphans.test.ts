import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveChildCount } from '../../src/util/child-registry.js';
import { FrameSource } from '../../src/source/index.js';
import { ffmpegChildren, isAlive, makeTempDir, sleep } from './helpers.js';

const LIVE_PATTERN = 'lavfi:testsrc2=size=160x120:rate=30';
const options = { width: 64, height: 64 };
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SOURCE_MODULE = fileURLToPath(new URL('../../src/source/index.ts', import.meta.url));

async function expectNoFfmpegChildren(): Promise<void> {
  expect(await ffmpegChildren()).toEqual([]);
  expect(liveChildCount()).toBe(0);
}

describe('ffmpeg children never outlive their source', () => {
  it('are gone after breaking out of for-await, stop() mid-startup, stop() while running and in backoff', async () => {
    for (let i = 0; i < 6; i++) {
      const source = new FrameSource(LIVE_PATTERN, { ...options, live: true });
      let seen = 0;
      for await (const _frame of source) if (++seen === 2) break;
      await expectNoFfmpegChildren();
    }
    for (const delayMs of [0, 0, 2, 5, 10, 20, 40, 80]) {
      const source = new FrameSource(LIVE_PATTERN, { ...options, live: true });
      source.start();
      await sleep(delayMs);
      await source.stop();
      await expectNoFfmpegChildren();
      expect(source.state).toBe('ended');
    }
    for (let i = 0; i < 4; i++) {
      // A file source blocked on a full pipe (nobody reads) must die as well.
      const source = new FrameSource('lavfi:testsrc2=size=320x240:rate=30:duration=10', options);
      expect(await source.next()).not.toBeNull();
      await sleep(50);
      await source.stop();
      await expectNoFfmpegChildren();
    }
    const retrying = new FrameSource('rtsp://127.0.0.1:9/none', { ...options, reconnect: { initialDelayMs: 10 } });
    retrying.start();
    await new Promise((resolve) => retrying.once('reconnecting', resolve));
    await retrying.stop();
    await expectNoFfmpegChildren();
  });

  describe('when the parent process ends', () => {
    let temp: Awaited<ReturnType<typeof makeTempDir>>;
    let script: string;

    beforeAll(async () => {
      temp = await makeTempDir();
      script = join(temp.dir, 'parent.mts');
      await writeFile(
        script,
        [
          `import { FrameSource } from ${JSON.stringify(SOURCE_MODULE)};`,
          `const source = new FrameSource(${JSON.stringify(LIVE_PATTERN)}, { width: 64, height: 64, live: true });`,
          `await source.next();`,
          `console.log('ready');`,
          `if (process.argv[2] === 'exit') process.exit(0);`,
          `setInterval(() => source.next(), 20);`,
        ].join('\n'),
      );
    });
    afterAll(() => temp.remove());

    async function runParent(mode: 'exit' | 'SIGTERM' | 'SIGINT' | 'SIGKILL') {
      const parent = spawn(process.execPath, ['--import', 'tsx', script, mode], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        parent.once('exit', (code, signal) => resolve({ code, signal })),
      );
      await new Promise<void>((resolve, reject) => {
        parent.stdout.on('data', (text: Buffer) => text.toString().includes('ready') && resolve());
        void exited.then(({ code }) => reject(new Error(`parent exited before it was ready (code ${code})`)));
      });
      const children = await ffmpegChildren(parent.pid);
      if (mode !== 'exit') expect(children).toHaveLength(1);
      if (mode !== 'exit') parent.kill(mode);
      const result = await exited;
      // Reparented children are reaped by init; give the kernel a moment.
      for (let i = 0; i < 50 && children.some(isAlive); i++) await sleep(20);
      return { result, children };
    }

    it('kills ffmpeg on process.exit, on SIGTERM/SIGINT (keeping the default exit) and even on SIGKILL', async () => {
      const [onExit, onTerm, onInt, onKill] = await Promise.all([
        runParent('exit'),
        runParent('SIGTERM'),
        runParent('SIGINT'),
        runParent('SIGKILL'),
      ]);
      expect(onExit.result.code).toBe(0);
      expect(onTerm.result.signal).toBe('SIGTERM');
      expect(onInt.result.signal).toBe('SIGINT');
      expect(onKill.result.signal).toBe('SIGKILL');
      for (const [mode, run] of Object.entries({ onExit, onTerm, onInt, onKill })) {
        expect({ mode, alive: run.children.filter(isAlive) }).toEqual({ mode, alive: [] });
      }
    });
  });
});
