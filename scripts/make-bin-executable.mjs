// tsc writes plain files; the `sightline` bin must be executable for npx and for the workspace's .bin link.
import { chmodSync } from 'node:fs';

chmodSync(new URL('../packages/cli/dist/main.js', import.meta.url), 0o755);
