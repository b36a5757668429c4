import { afterEach, describe, expect, it, vi } from 'vitest';
import { liveTokenProvider } from '../src/live-token.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('live token provider', () => {
  it('trades the credential for a view token, shares one request and reuses the token until it nearly expires', async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    const calls: { url: string; authorization: string | null }[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, authorization: new Headers(init.headers).get('authorization') });
      return new Response(JSON.stringify({ token: `mt_${calls.length}`, expiresAt: Date.now() + 60_000, whepUrl: 'x' }), { status: 201 });
    });
    const token = liveTokenProvider({ hubUrl: 'http://hub/', cameraId: 'gate', credential: () => 'sl_key' });
    expect(await Promise.all([token(), token()])).toEqual(['mt_1', 'mt_1']);
    expect(calls).toEqual([{ url: 'http://hub/api/v1/cameras/gate/live-token', authorization: 'Bearer sl_key' }]);
    vi.setSystemTime(1_000_000 + 29_000);
    expect(await token()).toBe('mt_1');
    vi.setSystemTime(1_000_000 + 31_000); // less than 30 s left: renewed
    expect(await token()).toBe('mt_2');
  });

  it('fails on a refusal or an answer without a token, and tries again next time', async () => {
    const answers = [new Response('{}', { status: 403 }), new Response('{"token":1}', { status: 201 }), new Response('{"token":"mt","expiresAt":9e15}', { status: 201 })];
    vi.stubGlobal('fetch', async () => answers.shift());
    const token = liveTokenProvider({ hubUrl: 'http://hub', cameraId: 'gate', credential: async () => 'sl_key' });
    await expect(token()).rejects.toThrow('live-token answered 403');
    await expect(token()).rejects.toThrow('without a token');
    expect(await token()).toBe('mt');
  });
});
