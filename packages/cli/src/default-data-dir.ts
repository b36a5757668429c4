import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$SIGHTLINE_DATA_DIR/<role>`, or ~/.sightline/<role>. */
export function defaultDataDir(role: 'hub' | 'edge' | 'host' | 'demo'): string {
  return join(process.env.SIGHTLINE_DATA_DIR ?? join(homedir(), '.sightline'), role);
}
