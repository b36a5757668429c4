import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Short-lived tokens for media URLs (WHEP, WHIP, HLS, recordings), scoped to one camera and one action, so a link or
 * a publishing edge never carries a full API key. Stateless: an HMAC over the grant, with a secret of this hub.
 * `view` is live video only; `recordings` is the camera's recorded video (clips), a separate grant so a live link
 * does not open the camera's history.
 */
const MEDIA_ACTIONS = ['view', 'publish', 'recordings'] as const;
const GrantSchema = z.object({
  cam: z.string().min(1),
  act: z.enum(MEDIA_ACTIONS),
  exp: z.number().int(),
});
export type MediaAction = (typeof MEDIA_ACTIONS)[number];

export class MediaTokens {
  constructor(private readonly secret: Buffer) {}

  issue(cameraId: string, action: MediaAction, ttlMs: number, now = Date.now()): { token: string; expiresAt: number } {
    const expiresAt = now + ttlMs;
    const body = Buffer.from(JSON.stringify({ cam: cameraId, act: action, exp: expiresAt })).toString('base64url');
    return { token: `mt_${body}.${this.sign(body)}`, expiresAt };
  }

  /** True when the token is genuine, unexpired, and grants `action` on `cameraId`. */
  verify(token: string | undefined, cameraId: string, action: MediaAction, now = Date.now()): boolean {
    if (!token?.startsWith('mt_')) return false;
    const [body, signature] = token.slice(3).split('.');
    if (!body || !signature) return false;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    let grant: z.infer<typeof GrantSchema>;
    try {
      grant = GrantSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    } catch {
      return false;
    }
    return grant.cam === cameraId && grant.act === action && grant.exp > now;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
