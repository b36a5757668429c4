import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { guardedSpawn } from '../../src/process/guarded-spawn.js';
import { stopChild } from '../../src/process/stop-child.js';
import { VirtualDisplay } from '../../src/index.js';

const NOISE_APP = fileURLToPath(new URL('./noise-app.cjs', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

export interface BusyDisplay {
  display: VirtualDisplay;
  stop(): Promise<void>;
}

/**
 * A private display with noise-app.cjs drawing on it (as the test's own user: these tests are about the encoder, not
 * isolation). `noise`: random grey blocks of `block` pixels every frame; `boxes`: random rectangles over a moving bar.
 */
export async function busyDisplay(options: { width: number; height: number; mode: 'noise' | 'boxes'; fps?: number; block?: number }): Promise<BusyDisplay> {
  const display = await VirtualDisplay.start({ width: options.width, height: options.height });
  let app: ChildProcess;
  try {
    app = guardedSpawn(process.execPath, [NOISE_APP, options.mode, String(options.fps ?? 30), String(options.block ?? 4)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { PATH: process.env.PATH, NODE_PATH: NODE_MODULES, ...display.clientEnv() },
    });
  } catch (error) {
    await display.stop();
    throw error;
  }
  // Its window is up within a few frames.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    display,
    stop: async () => {
      await stopChild(app, { graceMs: 500, group: false });
      await display.stop();
    },
  };
}
