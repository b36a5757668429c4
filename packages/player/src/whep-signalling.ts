import { WhepError, whepErrorForStatus } from './whep-error.js';

/**
 * How the token reaches the hub: an `Authorization: Bearer` header (the default), or `?access_token=` for a hub on
 * another origin that answers no CORS preflight (a header makes the request "non-simple"), or not at all with
 * `cookie`: the page is served by the hub and the browser's HttpOnly session cookie authenticates it (the console).
 */
export type TokenTransport = 'header' | 'query' | 'cookie';

export interface SignallingOptions {
  token: string;
  tokenTransport: TokenTransport;
  timeoutMs: number;
}

export interface WhepAnswer {
  answerSdp: string;
  /** The session's URL (the Location header, resolved against the WHEP URL), for DELETE. */
  resourceUrl: string | undefined;
}

function request(url: string, init: RequestInit, options: SignallingOptions): Promise<Response> {
  const target = new URL(url);
  const headers = new Headers(init.headers);
  if (options.tokenTransport === 'query') target.searchParams.set('access_token', options.token);
  else if (options.tokenTransport === 'header') headers.set('authorization', `Bearer ${options.token}`);
  return fetch(target, { ...init, headers, signal: AbortSignal.timeout(options.timeoutMs) });
}

async function detailOf(response: Response): Promise<string> {
  const body = await response.text().catch(() => '');
  try {
    const json = JSON.parse(body) as { message?: unknown; error?: { message?: unknown } };
    const message = json.error?.message ?? json.message;
    if (typeof message === 'string') return message.slice(0, 300);
  } catch {
    // Not JSON: the text itself.
  }
  return body.slice(0, 300);
}

/** POSTs a complete offer (no trickle ICE) and returns the answer. */
export async function postWhepOffer(url: string, offerSdp: string, options: SignallingOptions): Promise<WhepAnswer> {
  let response: Response;
  try {
    response = await request(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offerSdp }, options);
  } catch (error) {
    throw new WhepError('network', `WHEP POST to ${url} failed: ${(error as Error).message}`, undefined, { cause: error });
  }
  if (!response.ok) throw whepErrorForStatus(response.status, await detailOf(response));
  const answerSdp = await response.text().catch(() => '');
  if (!answerSdp.startsWith('v=0')) throw new WhepError('bad-answer', `WHEP answered ${response.status} without an SDP answer`, response.status);
  const location = response.headers.get('location');
  return { answerSdp, resourceUrl: location ? new URL(location, url).href : undefined };
}

/** Ends a WHEP session. Best effort: the hub also drops viewers that go silent. */
export async function deleteWhepSession(resourceUrl: string, options: SignallingOptions): Promise<void> {
  // keepalive lets the DELETE leave even when the page is being unloaded.
  await request(resourceUrl, { method: 'DELETE', keepalive: true }, options)
    .then((response) => response.body?.cancel())
    .catch(() => undefined);
}
