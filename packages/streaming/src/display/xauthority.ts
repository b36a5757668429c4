import { randomBytes } from 'node:crypto';

/** The only authorization protocol Xvfb and every client library agree on. */
export const COOKIE_PROTOCOL = 'MIT-MAGIC-COOKIE-1';

/** FamilyWild: the entry matches any address (we only listen on a unix socket, whose "address" is the hostname). */
const FAMILY_WILD = 0xffff;

/** A fresh 128-bit cookie: knowing it is what lets a client connect to a session's display. */
export const newCookie = (): Buffer => randomBytes(16);

/**
 * An Xauthority file with one entry, in the format libXau reads (big-endian lengths). With no display number it is
 * for the server (`Xvfb -auth`, which ignores addresses and numbers); clients need the number they connect to.
 */
export function xauthorityFile(cookie: Buffer, displayNumber?: number): Buffer {
  const field = (value: Buffer) => {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(value.length);
    return [length, value];
  };
  const family = Buffer.alloc(2);
  family.writeUInt16BE(FAMILY_WILD);
  return Buffer.concat([
    family,
    ...field(Buffer.alloc(0)),
    ...field(Buffer.from(displayNumber === undefined ? '' : String(displayNumber))),
    ...field(Buffer.from(COOKIE_PROTOCOL)),
    ...field(cookie),
  ]);
}
