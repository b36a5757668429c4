import { describe, expect, it } from 'vitest';
import { FrameQueue } from '../../src/source/frame-queue.js';

describe('FrameQueue', () => {
  it('drop-oldest keeps the newest items and counts what it drops', async () => {
    const queue = new FrameQueue<number>(2, 'drop-oldest', () => {});
    expect([1, 2, 3, 4].map((n) => queue.push(n))).toEqual([0, 0, 1, 1]);
    expect(await queue.take()).toBe(3);
    expect(await queue.take()).toBe(4);
  });

  it('pause keeps everything and signals when there is room again', async () => {
    let spaces = 0;
    const queue = new FrameQueue<number>(2, 'pause', () => spaces++);
    for (const n of [1, 2, 3]) expect(queue.push(n)).toBe(0);
    expect(queue.isFull).toBe(true);
    expect(await queue.take()).toBe(1);
    expect(spaces).toBe(0); // still 2 queued: full
    expect(await queue.take()).toBe(2);
    expect(spaces).toBe(1);
    expect(await queue.take()).toBe(3);
  });

  it('hands items straight to a waiting consumer', async () => {
    const queue = new FrameQueue<string>(1, 'drop-oldest', () => {});
    const taken = queue.take();
    expect(queue.push('a')).toBe(0);
    expect(queue.length).toBe(0);
    await expect(taken).resolves.toBe('a');
  });

  it('delivers queued items before the end or the error, and the error only once', async () => {
    const queue = new FrameQueue<number>(3, 'pause', () => {});
    queue.push(1);
    queue.fail(new Error('boom'));
    queue.push(2); // ignored after the end
    expect(await queue.take()).toBe(1);
    await expect(queue.take()).rejects.toThrow('boom');
    await expect(queue.take()).resolves.toBeNull();
    const waiting = new FrameQueue<number>(3, 'pause', () => {});
    const pending = waiting.take();
    waiting.fail(new Error('late'));
    await expect(pending).rejects.toThrow('late');
    await expect(waiting.take()).resolves.toBeNull();
  });

  it('clear drops queued items and ends at once', async () => {
    const queue = new FrameQueue<number>(3, 'pause', () => {});
    queue.push(1);
    queue.clear();
    await expect(queue.take()).resolves.toBeNull();
  });
});
