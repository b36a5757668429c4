import { format } from 'node:util';
import { camerasCommand } from '../src/commands/cameras.js';
import { devicesCommand } from '../src/commands/devices.js';
import { eventsCommand } from '../src/commands/events.js';
import { formatError } from '../src/format-error.js';
import { UsageError } from '../src/usage-error.js';
import type { CliResult } from './run-cli.js';

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  devices: devicesCommand,
  cameras: camerasCommand,
  events: eventsCommand,
};

/**
 * Runs a hub command inside the test process, with `env` set and console output captured, mapping errors to exit
 * codes as main.ts does. Far quicker than a child process per case; runCli still covers the real entry point.
 * Not reentrant: run one at a time.
 */
export async function runFleetCommand(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const [name, ...argv] = args;
  const command = commands[name ?? ''];
  if (!command) throw new Error(`not a fleet command: ${name}`);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const out = { stdout: '', stderr: '' };
  const { log, error } = console;
  Object.assign(process.env, env);
  console.log = (...parts: unknown[]) => void (out.stdout += `${format(...parts)}\n`);
  console.error = (...parts: unknown[]) => void (out.stderr += `${format(...parts)}\n`);
  try {
    const code = await command(argv);
    return { code, ...out };
  } catch (err) {
    if (err instanceof UsageError) return { code: 2, stdout: out.stdout, stderr: `${out.stderr}sightline ${name}: ${err.message}\n` };
    return { code: 1, stdout: out.stdout, stderr: `${out.stderr}sightline ${name}: ${formatError(err)}\n` };
  } finally {
    console.log = log;
    console.error = error;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
