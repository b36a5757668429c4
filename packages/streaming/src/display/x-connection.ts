import { createConnection } from 'node:net';
import x11, { type XDisplay } from 'x11';
import { COOKIE_PROTOCOL } from './xauthority.js';

export interface XConnectionOptions {
  /** ":N" */
  display: string;
  /** The display's cookie; undefined connects without one (which a private display refuses). */
  cookie: Buffer | undefined;
  timeoutMs?: number;
}

/**
 * One X11 connection over the display's unix socket, authenticated with the cookie given here rather than one looked
 * up through $XAUTHORITY: a host runs several sessions in one process, each with its own display and cookie.
 */
export function connectX(options: XConnectionOptions): Promise<XDisplay> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const auth = options.cookie ? { name: COOKIE_PROTOCOL, data: options.cookie.toString('latin1') } : { name: '', data: '' };
    // Our own socket: the library would fall back to TCP on localhost when the unix socket is missing.
    const stream = createConnection(socketPath(options.display));
    const client = x11.createClient({ display: options.display, stream, auth, disableBigRequests: true }, (error, display) => {
      if (settled) {
        if (!error) display.client.terminate();
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(display);
    });
    client.on('error', (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    });
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      client.terminate();
      reject(new Error(`no answer from X display ${options.display} within ${options.timeoutMs ?? 5000} ms`));
    }, options.timeoutMs ?? 5000);
  });
}

/** The filesystem socket of display ":N". */
export function socketPath(display: string): string {
  const match = /^:(\d+)$/.exec(display);
  if (!match) throw new Error(`not a local display: ${display}`);
  return `/tmp/.X11-unix/X${match[1]}`;
}
