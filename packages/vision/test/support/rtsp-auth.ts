import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface RtspCredentials {
  username: string;
  password: string;
  /** The challenge the server sends. Default 'digest' (what most cameras ask for). */
  scheme?: 'basic' | 'digest';
}

const REALM = 'sightline-test';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `key="value", key=value` pairs of a Digest Authorization header. */
function parseDigestParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const m of text.matchAll(/([a-z0-9-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/gi)) {
    params.set((m[1] as string).toLowerCase(), m[2] ?? m[3] ?? '');
  }
  return params;
}

/**
 * HTTP-style authentication as RTSP uses it (RFC 2326 §D.1 refers to RFC 2617): Basic, or Digest
 * without qop (what ffmpeg and most cameras speak), with one nonce per server.
 */
export class RtspAuthenticator {
  private readonly nonce = randomBytes(16).toString('hex');

  constructor(private readonly credentials: RtspCredentials) {}

  get challenge(): string {
    return this.credentials.scheme === 'basic'
      ? `Basic realm="${REALM}"`
      : `Digest realm="${REALM}", nonce="${this.nonce}", algorithm="MD5"`;
  }

  /** Whether the request's Authorization header proves the configured credentials. */
  accepts(method: string, authorization: string | undefined): boolean {
    if (authorization === undefined) return false;
    const { username, password, scheme = 'digest' } = this.credentials;
    const space = authorization.indexOf(' ');
    const given = authorization.slice(0, space).toLowerCase();
    const rest = authorization.slice(space + 1).trim();
    if (scheme === 'basic') {
      return given === 'basic' && sameText(Buffer.from(rest, 'base64').toString('utf8'), `${username}:${password}`);
    }
    if (given !== 'digest') return false;
    const params = parseDigestParams(rest);
    const uri = params.get('uri');
    const response = params.get('response');
    if (params.get('username') !== username || params.get('nonce') !== this.nonce || !uri || !response) return false;
    const expected = md5(`${md5(`${username}:${REALM}:${password}`)}:${this.nonce}:${md5(`${method}:${uri}`)}`);
    return sameText(response.toLowerCase(), expected);
  }
}
