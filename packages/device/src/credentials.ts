import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { parseOrThrow } from '@sightline/protocol';

export const DeviceCredentialsSchema = z.object({
  hubUrl: z.string().url(),
  deviceId: z.string().min(1),
  mqtt: z.object({ url: z.string().min(1), username: z.string().min(1), password: z.string().min(1) }),
  enrolledAt: z.number().int(),
});
export type DeviceCredentials = z.infer<typeof DeviceCredentialsSchema>;

export const credentialsPath = (dataDir: string) => join(dataDir, 'credentials.json');

export function loadCredentials(dataDir: string): DeviceCredentials | undefined {
  const path = credentialsPath(dataDir);
  if (!existsSync(path)) return undefined;
  return parseOrThrow(DeviceCredentialsSchema, JSON.parse(readFileSync(path, 'utf8')), `credentials file ${path}`);
}

/** Written to a temp file with mode 0600 and renamed, so the secret is never readable by others, even briefly. */
export function saveCredentials(dataDir: string, credentials: DeviceCredentials): string {
  const path = credentialsPath(dataDir);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}
