import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A stable random id per hub data directory, e.g. for the hub's own user on a shared external broker. */
export function hubInstanceId(dataDir: string): string {
  const path = join(dataDir, 'hub-id');
  if (existsSync(path)) {
    const id = readFileSync(path, 'utf8').trim();
    if (/^[a-f0-9]{12}$/.test(id)) return id;
  }
  const id = randomBytes(6).toString('hex');
  writeFileSync(path, `${id}\n`, { mode: 0o600 });
  return id;
}

/** A random secret kept in the data directory (mode 0600), e.g. to sign media tokens that outlive a restart. */
export function hubSecret(dataDir: string, name: string): Buffer {
  const path = join(dataDir, name);
  if (existsSync(path)) {
    const secret = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (secret.length >= 32) return secret;
  }
  const secret = randomBytes(32);
  writeFileSync(path, `${secret.toString('base64url')}\n`, { mode: 0o600 });
  return secret;
}
