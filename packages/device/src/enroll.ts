import { EnrollResponseSchema, type DeviceKind, type EnrollResponse } from '@sightline/protocol';

export class EnrollmentError extends Error {
  override readonly name = 'EnrollmentError';
}

/** Trades a one-time token for MQTT credentials at the hub. */
export async function enroll(hubUrl: string, token: string, timeoutMs = 15_000, kind: DeviceKind = 'edge'): Promise<EnrollResponse> {
  const url = `${hubUrl.replace(/\/$/, '')}/api/v1/enroll`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, kind }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new EnrollmentError(`cannot reach the hub at ${url}: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  if (!res.ok) throw new EnrollmentError(`the hub refused enrollment (${res.status}): ${body?.error?.message ?? res.statusText}`);
  const parsed = EnrollResponseSchema.safeParse(body);
  if (!parsed.success) throw new EnrollmentError(`the hub answered enrollment with an unexpected body from ${url}`);
  return parsed.data;
}
