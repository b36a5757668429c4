// Starts throwaway PostgreSQL and mosquitto for the whole vitest run unless the environment already names them
// (CI starts them once with scripts/test-services.mjs). Workers are forked after this runs, so the variables set
// on process.env here reach every test file.
import type { TestProject } from 'vitest/node';
// @ts-expect-error: a plain .mjs script without type declarations
import { startTestServices, stopTestServices } from '../scripts/test-services.mjs';

const PG_VARIABLES = ['SIGHTLINE_TEST_PG_URL'];
const MOSQUITTO_VARIABLES = [
  'SIGHTLINE_TEST_MOSQUITTO_URL',
  'SIGHTLINE_TEST_MOSQUITTO_ADMIN_USER',
  'SIGHTLINE_TEST_MOSQUITTO_ADMIN_PASSWORD',
  'SIGHTLINE_TEST_MOSQUITTO_LOG',
];

const allSet = (names: string[]) => names.every((name) => Boolean(process.env[name]));

function warnLoudly(message: string): void {
  const bar = '!'.repeat(100);
  console.warn(`\n${bar}\n!! test services: ${message}\n!! Tests that need PostgreSQL or mosquitto will fail.\n${bar}\n`);
}

export default async function setup(_project: TestProject): Promise<() => Promise<void>> {
  const postgres = !allSet(PG_VARIABLES);
  const mosquitto = !allSet(MOSQUITTO_VARIABLES);
  if (!postgres && !mosquitto) return async () => {};

  let started: { dir: string; env: Record<string, string>; warnings: string[] };
  try {
    started = await startTestServices({ postgres, mosquitto, owner: process.pid });
  } catch (error) {
    warnLoudly(`could not start: ${(error as Error).message}`);
    return async () => {};
  }
  for (const warning of started.warnings) warnLoudly(warning);
  Object.assign(process.env, started.env);
  return async () => {
    await stopTestServices(started.dir);
  };
}
