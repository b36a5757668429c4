import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface SseStream {
  /** Write one event; a client this far behind (`maxBufferedBytes`) is cut off instead. */
  send(event: string, data: string, id?: string): void;
  /** Runs once when the client goes or the hub closes. */
  onClose(listener: () => void): void;
}

/**
 * Server-sent event streams of one app. A stream never ends by itself, so the server could not close while one is
 * open: they are all ended first.
 */
export class SseStreams {
  private readonly open = new Set<ServerResponse>();

  constructor(app: FastifyInstance) {
    app.addHook('preClose', async () => {
      for (const res of this.open) res.end();
    });
  }

  /**
   * Take over the reply as an event stream with a keep-alive comment every `pingMs`. Undefined for HEAD (added by
   * Fastify for every GET), which gets the headers only: a stream left open would hold its socket forever.
   */
  start(request: FastifyRequest, reply: FastifyReply, options: { pingMs: number; maxBufferedBytes: number }): SseStream | undefined {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    if (request.method === 'HEAD') {
      res.end();
      return undefined;
    }
    this.open.add(res);
    res.write(': connected\n\n');
    const ping = setInterval(() => res.write(': ping\n\n'), options.pingMs);
    const listeners: (() => void)[] = [];
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(ping);
      this.open.delete(res);
      for (const listener of listeners) listener();
    };
    request.raw.on('close', close);
    res.on('close', close);
    return {
      send: (event, data, id) => {
        if (res.writableLength > options.maxBufferedBytes) {
          res.destroy();
          return;
        }
        res.write(`event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${data}\n\n`);
      },
      onClose: (listener) => listeners.push(listener),
    };
  }
}
