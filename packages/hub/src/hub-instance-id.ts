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
