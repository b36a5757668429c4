import { WhipError } from './whip-error.js';

export interface WhipAnswer {
  answerSdp: string;
  /** The session's resource, absolute: where DELETE goes. */
  resourceUrl: string;
}

const MAX_ERROR_BODY_CHARS = 300;

function authorization(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

async function send(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const timedOut = (error as Error).name === 'TimeoutError';
    const why = timedOut ? `no answer within ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new WhipError('network', `${init.method} ${url} failed: ${why}`, undefined, { cause: error });
  }
}

async function errorText(response: Response): Promise<string> {
  const text = (await response.text().catch(() => '')).trim();
  return text.length > MAX_ERROR_BODY_CHARS ? `${text.slice(0, MAX_ERROR_BODY_CHARS)}…` : text;
}

/**
 * POST an SDP offer to a WHIP endpoint and check that the reply is a WHIP answer: 201 Created, an SDP body and a
 * Location for the new session. Anything else is a WhipError that says what came back.
 */
export async function postWhipOffer(url: string, offerSdp: string, token: string | undefined, timeoutMs: number): Promise<WhipAnswer> {
  const response = await send(
    url,
    { method: 'POST', headers: { 'content-type': 'application/sdp', accept: 'application/sdp', ...authorization(token) }, body: offerSdp },
    timeoutMs,
  );
  if (response.status === 401 || response.status === 403) {
    throw new WhipError('unauthorized', `WHIP endpoint ${url} refused the token (${response.status}): ${await errorText(response)}`, response.status);
  }
  if (response.status !== 201) {
    throw new WhipError('http-error', `WHIP endpoint ${url} answered ${response.status}: ${await errorText(response)}`, response.status);
  }
  const contentType = response.headers.get('content-type') ?? '';
  const body = await response.text();
  if (!/^application\/sdp\b/i.test(contentType) || !body.startsWith('v=0') || !/^m=video /m.test(body)) {
    throw new WhipError('bad-response', `WHIP endpoint ${url} did not answer with a video SDP (content-type "${contentType}")`, response.status);
  }
  const location = response.headers.get('location');
  if (location === null || location.trim() === '') {
    throw new WhipError('bad-response', `WHIP endpoint ${url} gave no Location for the session`, response.status);
  }
  let resourceUrl: string;
  try {
    resourceUrl = new URL(location, url).toString();
  } catch {
    throw new WhipError('bad-response', `WHIP endpoint ${url} gave an invalid Location "${location}"`, response.status);
  }
  return { answerSdp: body, resourceUrl };
}

/** End a WHIP session. A 404 counts as done: the endpoint no longer knows the session. */
export async function deleteWhipResource(resourceUrl: string, token: string | undefined, timeoutMs: number): Promise<void> {
  const response = await send(resourceUrl, { method: 'DELETE', headers: authorization(token) }, timeoutMs);
  await response.body?.cancel();
  if (response.ok || response.status === 404) return;
  const code = response.status === 401 || response.status === 403 ? 'unauthorized' : 'http-error';
  throw new WhipError(code, `DELETE ${resourceUrl} answered ${response.status}`, response.status);
}
