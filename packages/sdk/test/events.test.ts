import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@sightline/protocol';
import { SightlineApiError, SightlineClient } from '../src/index.js';
import { apiError, CannedHub } from './canned-hub.js';
import { storedEvent, T0 } from './fixtures.js';

let hub: CannedHub;
let client: SightlineClient;

beforeAll(async () => {
  hub = await CannedHub.start();
});
afterAll(async () => {
  await hub.close();
});
beforeEach(() => {
  hub.requests.length = 0;
  client = new SightlineClient({ baseUrl: hub.url, apiKey: 'k', timeoutMs: 5_000 });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.flushHeaders();
}

function sseMessage(e: StoredEvent): string {
  return `event: sightline-event\ndata: ${JSON.stringify(e)}\n\n`;
}

/** Resolves when the server side of `response` sees its connection close. */
function closed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => (response.destroyed ? resolve() : response.on('close', () => resolve())));
}

describe('events.pages', () => {
  it('follows nextCursor until it is null, keeping the filter', async () => {
    const all = [storedEvent(), storedEvent(), storedEvent()];
    const pages: Record<string, { events: StoredEvent[]; nextCursor: string | null }> = {
      start: { events: all.slice(0, 2), nextCursor: all[1]!.event.id },
      [all[1]!.event.id]: { events: all.slice(2), nextCursor: null },
    };
    hub.on('GET /api/v1/events', (req) => ({ json: pages[req.query.get('cursor') ?? 'start'] }));
    const seen: StoredEvent[] = [];
    for await (const page of client.events.pages({ cameraId: 'dock', limit: 2 })) seen.push(...page.events);
    expect(seen).toEqual(all);
    const queries = hub.requests.map((r) => Object.fromEntries(r.query));
    expect(queries).toEqual([
      { cameraId: 'dock', limit: '2' },
      { cameraId: 'dock', limit: '2', cursor: all[1]!.event.id },
    ]);
  });

  it('fetches a page only when the loop asks for it', async () => {
    const first = storedEvent();
    hub.on('GET /api/v1/events', { json: { events: [first], nextCursor: first.event.id } });
    for await (const page of client.events.pages()) {
      expect(page.events).toEqual([first]);
      break;
    }
    expect(hub.requests).toHaveLength(1);
  });

  it('stops with bad_response when the hub repeats a cursor', async () => {
    const e = storedEvent();
    hub.on('GET /api/v1/events', { json: { events: [e], nextCursor: e.event.id } });
    const pages = async () => {
      for await (const _page of client.events.pages());
    };
    await expect(pages()).rejects.toMatchObject({ code: 'bad_response' });
    expect(hub.requests).toHaveLength(2);
  });
});

describe('events.snapshot', () => {
  it('returns the JPEG bytes', async () => {
    const e = storedEvent();
    const jpeg = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9);
    hub.on(`GET /api/v1/events/${e.event.id}/snapshots/crop`, { body: jpeg, headers: { 'content-type': 'image/jpeg' } });
    expect(await client.events.snapshot(e.event.id, 'crop')).toEqual(jpeg);
    expect(hub.requests.at(-1)?.headers.accept).toBe('image/jpeg');
  });

  it('refuses an answer that is not a JPEG', async () => {
    const e = storedEvent();
    hub.on(`GET /api/v1/events/${e.event.id}/snapshots/frame`, { json: { hello: 1 } });
    await expect(client.events.snapshot(e.event.id, 'frame')).rejects.toMatchObject({ code: 'bad_response' });
  });
});

describe('events.stream', () => {
  it('yields events split across chunks, skips pings and other event names, and ends cleanly on abort', async () => {
    const events = [storedEvent(), storedEvent({ label: 'forklift' }), storedEvent()];
    let serverSide: Promise<void> | undefined;
    hub.on('GET /api/v1/events/stream', async (_req, res) => {
      startStream(res);
      serverSide = closed(res);
      const text = `: ping\n\n${sseMessage(events[0]!)}event: other\ndata: {}\n\n${sseMessage(events[1]!)}: ping\n\n${sseMessage(events[2]!)}`;
      // Odd chunk sizes so messages, lines and the JSON are cut in the middle.
      for (let i = 0; i < text.length; i += 37) {
        res.write(text.slice(i, i + 37));
        if (i % 5 === 0) await sleep(2);
      }
    });
    const controller = new AbortController();
    const received: StoredEvent[] = [];
    let opened = false;
    for await (const e of client.events.stream({ cameraId: 'dock', type: 'line.cross' }, { signal: controller.signal, onOpen: () => (opened = true) })) {
      received.push(e);
      if (received.length === 3) controller.abort();
    }
    expect(opened).toBe(true);
    expect(received).toEqual(events);
    const request = hub.last('GET /api/v1/events/stream');
    expect(Object.fromEntries(request.query)).toEqual({ cameraId: 'dock', type: 'line.cross' });
    expect(request.headers.accept).toBe('text/event-stream');
    expect(request.headers.authorization).toBe('Bearer k');
    await serverSide; // the connection is closed, not left open
  });

  it('ends promptly when aborted while waiting for the next event, and is not cut by timeoutMs', async () => {
    const e = storedEvent();
    hub.on('GET /api/v1/events/stream', async (_req, res) => {
      startStream(res);
      await sleep(400);
      res.write(sseMessage(e));
    });
    const quick = new SightlineClient({ baseUrl: hub.url, timeoutMs: 100 });
    const controller = new AbortController();
    const received: StoredEvent[] = [];
    const loop = (async () => {
      for await (const got of quick.events.stream({}, { signal: controller.signal })) {
        received.push(got);
        setTimeout(() => controller.abort(), 50);
      }
    })();
    await loop;
    expect(received).toEqual([e]);
  });

  it('yields nothing for a signal aborted before the call, or aborted while connecting', async () => {
    hub.on('GET /api/v1/events/stream', () => undefined); // never answers
    const none: StoredEvent[] = [];
    for await (const e of client.events.stream({}, { signal: AbortSignal.abort() })) none.push(e);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    for await (const e of client.events.stream({}, { signal: controller.signal })) none.push(e);
    expect(none).toEqual([]);
  });

  it('closes the connection when the loop breaks', async () => {
    let serverSide: Promise<void> | undefined;
    hub.on('GET /api/v1/events/stream', (_req, res) => {
      startStream(res);
      serverSide = closed(res);
      res.write(sseMessage(storedEvent()));
    });
    for await (const _e of client.events.stream()) break;
    await serverSide;
  });

  it('ends when the hub closes the stream', async () => {
    const e = storedEvent();
    hub.on('GET /api/v1/events/stream', (_req, res) => {
      startStream(res);
      res.end(sseMessage(e));
    });
    const received: StoredEvent[] = [];
    for await (const got of client.events.stream()) received.push(got);
    expect(received).toEqual([e]);
  });

  it('throws unreachable when the connection breaks mid-stream', async () => {
    hub.on('GET /api/v1/events/stream', async (_req, res) => {
      startStream(res);
      res.write(sseMessage(storedEvent()));
      await sleep(50);
      res.socket?.destroy();
    });
    const received: StoredEvent[] = [];
    const err = await (async () => {
      try {
        for await (const got of client.events.stream()) received.push(got);
      } catch (e) {
        return e;
      }
    })();
    expect(received).toHaveLength(1);
    expect(err).toBeInstanceOf(SightlineApiError);
    expect(err).toMatchObject({ code: 'unreachable' });
    expect((err as Error).message).toContain(`lost the event stream from ${hub.url}/api/v1/events/stream`);
  });

  it('maps an error answer and a malformed event to SightlineApiError', async () => {
    hub.on('GET /api/v1/events/stream', apiError(401, 'unauthorized', 'missing credential'));
    const drain = async () => {
      for await (const _e of client.events.stream());
    };
    await expect(drain()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });

    hub.on('GET /api/v1/events/stream', (_req, res) => {
      startStream(res);
      res.write(`event: sightline-event\ndata: ${JSON.stringify({ ...storedEvent(), ingestedAt: 'soon' })}\n\n`);
    });
    await expect(drain()).rejects.toMatchObject({ code: 'bad_response', message: expect.stringContaining('ingestedAt') });

    hub.on('GET /api/v1/events/stream', { json: [] });
    await expect(drain()).rejects.toMatchObject({ code: 'bad_response', message: expect.stringContaining('text/event-stream') });
  });

  it('sends time filters as given', async () => {
    hub.on('GET /api/v1/events/stream', (_req, res) => {
      startStream(res);
      res.end();
    });
    for await (const _e of client.events.stream({ from: T0, zoneId: 'bay', trackId: 3 }));
    expect(Object.fromEntries(hub.last('GET /api/v1/events/stream').query)).toEqual({ from: String(T0), zoneId: 'bay', trackId: '3' });
  });
});
