import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectX, isRunning, newCookie, socketPath, VirtualDisplay } from '../src/index.js';

describe('VirtualDisplay', () => {
  let display: VirtualDisplay | undefined;
  afterEach(async () => {
    await display?.stop();
    display = undefined;
  });

  it('serves only clients that hold its cookie, on its unix socket only', async () => {
    display = await VirtualDisplay.start({ width: 320, height: 240 });
    console.log(`Xvfb ready in ${display.startupMs.toFixed(0)} ms on ${display.name}`);
    expect(existsSync(socketPath(display.name))).toBe(true);

    const ok = await connectX({ display: display.name, cookie: display.cookie });
    expect(ok.screen[0]!.pixel_width).toBe(320);
    expect(ok.screen[0]!.pixel_height).toBe(240);
    ok.client.terminate();

    await expect(connectX({ display: display.name, cookie: undefined })).rejects.toThrow();
    await expect(connectX({ display: display.name, cookie: newCookie() })).rejects.toThrow();

    // -nolisten tcp: nothing on 6000 + N.
    const tcp = await new Promise<string>((resolve) => {
      const socket = createConnection(6000 + display!.number, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(tcp).toBe('ECONNREFUSED');
  });

  it('stop() kills Xvfb and removes its socket, lock and auth files', async () => {
    display = await VirtualDisplay.start({ width: 320, height: 240 });
    const pid = display.pid!;
    const files = [socketPath(display.name), display.clientAuthFile];
    expect(files.every((file) => existsSync(file))).toBe(true);
    await display.stop();
    expect(isRunning(pid)).toBe(false);
    for (const file of [...files, `/tmp/.X${display.number}-lock`]) expect(existsSync(file)).toBe(false);
  });

  it('cleans up after an Xvfb that was SIGKILLed', async () => {
    display = await VirtualDisplay.start({ width: 320, height: 240 });
    const lost = new Promise<string>((resolve) => display!.once('exit', resolve));
    process.kill(display.pid!, 'SIGKILL');
    expect(await lost).toMatch(/SIGKILL/);
    await display.stop();
    expect(existsSync(socketPath(display.name))).toBe(false);
  });

  it('two displays get different numbers and different cookies', async () => {
    const [a, b] = await Promise.all([VirtualDisplay.start({ width: 64, height: 64 }), VirtualDisplay.start({ width: 64, height: 64 })]);
    try {
      expect(a.number).not.toBe(b.number);
      expect(a.cookie.equals(b.cookie)).toBe(false);
      await expect(connectX({ display: a.name, cookie: b.cookie })).rejects.toThrow();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
