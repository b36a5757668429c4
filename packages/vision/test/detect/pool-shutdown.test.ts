import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import {
  NativeCallGuard,
  NativeCallsHalted,
  createNativeCallControl,
  haltAndWaitSync,
  haltNativeCalls,
  nativeCallsInProgress,
} from '../../src/detect/native-call-guard.js';
import { writeTinyDetectorPackage } from '../../src/detect/testing/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'sightline-pool-shutdown-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const childScript = fileURLToPath(new URL('./pool-shutdown-child.ts', import.meta.url));

/** Runs the child in its own process: an abort there must not take this test worker down with it. */
function runChild(mode: string, rounds: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  // 640 px: session.run takes tens of milliseconds, so a stop lands inside it.
  const modelDir = writeTinyDetectorPackage(join(tmp, `m-${mode}`), { inputSize: 640 }).dir;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, modelDir, mode, String(rounds)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe('stopping an inference pool while onnxruntime runs', () => {
  // Before the fix each of these aborted the child process (SIGABRT, "terminate called after throwing an instance
  // of 'Napi::Error'") in most runs: 8 of 10 (close), 9 of 10 (kill) and 5 of 10 (exit) on the project machine.
  for (const [mode, rounds] of [['close', 3], ['close-no-grace', 2], ['kill', 2], ['exit', 1]] as const) {
    it(`${mode}: the process survives and exits cleanly`, async () => {
      const result = await runChild(mode, rounds);
      expect(result.err).not.toMatch(/Napi::Error|terminate called/);
      expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
      expect(result.out).toMatch(/stopped mid-run \d+/);
    });
  }
});

describe('NativeCallGuard', () => {
  it('refuses calls after a halt and counts the ones in progress', async () => {
    const control = createNativeCallControl();
    const guard = new NativeCallGuard(control);
    let release!: () => void;
    const inside = guard.run(() => new Promise<string>((resolve) => (release = () => resolve('done'))));
    expect(nativeCallsInProgress(control)).toBe(1);
    haltNativeCalls(control);
    expect(guard.halted).toBe(true);
    await expect(guard.run(() => 'never')).rejects.toBeInstanceOf(NativeCallsHalted);
    expect(nativeCallsInProgress(control)).toBe(1);
    release();
    await expect(inside).resolves.toBe('done');
    expect(nativeCallsInProgress(control)).toBe(0);
  });

  it('haltAndWaitSync blocks until a call in another thread ends, and gives up at its deadline', async () => {
    const control = createNativeCallControl();
    // A thread that holds a "native call" (a blocking wait) for 150 ms.
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const cells = new Int32Array(workerData);
       Atomics.add(cells, 0, 1);
       parentPort.postMessage('in');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
       Atomics.sub(cells, 0, 1);
       Atomics.notify(cells, 0);`,
      { eval: true, workerData: control },
    );
    await new Promise((resolve) => worker.once('message', resolve));
    expect(haltAndWaitSync(control, Date.now() + 10)).toBe(false);
    const start = Date.now();
    expect(haltAndWaitSync(control, Date.now() + 5000)).toBe(true);
    expect(Date.now() - start).toBeLessThan(2000);
    expect(nativeCallsInProgress(control)).toBe(0);
    await new Promise((resolve) => worker.once('exit', resolve));
  });
});
