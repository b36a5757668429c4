import { SightlineClient } from '@sightline/sdk';

/**
 * The console talks to the hub that served it (same origin). It sends no Authorization header: the sign-in session
 * lives in the hub's HttpOnly cookie, which page scripts cannot read, so a script injected into the page cannot
 * steal it either.
 */
export const hub = new SightlineClient({ baseUrl: '', timeoutMs: 20_000 });
