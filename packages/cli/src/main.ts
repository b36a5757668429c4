#!/usr/bin/env node
import { analyzeCommand, analyzeUsage } from './commands/analyze.js';
import { camerasCommand, camerasUsage } from './commands/cameras.js';
import { demoCommand, demoUsage } from './commands/demo.js';
import { detectCommand, detectUsage } from './commands/detect.js';
import { devicesCommand, devicesUsage } from './commands/devices.js';
import { eventsCommand, eventsUsage } from './commands/events.js';
import { modelsCommand, modelsUsage } from './commands/models.js';
import { hubCommand, hubUsage } from './commands/hub.js';
import { edgeCommand, edgeUsage } from './commands/edge.js';
import { hostCommand, hostUsage } from './commands/host.js';
import { formatError } from './format-error.js';
import { UsageError } from './usage-error.js';

const commands: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  analyze: { run: analyzeCommand, usage: analyzeUsage },
  detect: { run: detectCommand, usage: detectUsage },
  models: { run: modelsCommand, usage: modelsUsage },
  demo: { run: demoCommand, usage: demoUsage },
  hub: { run: hubCommand, usage: hubUsage },
  edge: { run: edgeCommand, usage: edgeUsage },
  host: { run: hostCommand, usage: hostUsage },
  devices: { run: devicesCommand, usage: devicesUsage },
  cameras: { run: camerasCommand, usage: camerasUsage },
  events: { run: eventsCommand, usage: eventsUsage },
};

const overview = `sightline: intelligent cameras analysed at the edge, and cloud streaming

Usage:
  sightline analyze <source> [--model M] [--config analytics.yaml] [--out events.jsonl] [--annotate out.mp4] [--fps N]
  sightline detect <image|video|dir> [--model M] [--threshold T] [--json]
  sightline models list | fetch <name>
  sightline demo

  with a hub (--hub URL, --api-key KEY, --json):
  sightline hub [--data-dir D] [--db postgres://…] [--mqtt mqtt://…] [--port N]
  sightline edge --hub URL --token T [--data-dir D]
  sightline host --hub URL --token T [--data-dir D] [--slots N]   (a cloud-streaming host)
  sightline devices list | create <id> [--name N] | get <id> | delete <id> | token <id>
  sightline cameras list [--device D] | add <id> --device D --source S [--config analytics.yaml] | update <id> … | get <id> | delete <id>
  sightline events list [filters] | follow [filters] | counts --from T [--to T] [--bucket minute|hour|day]

Run \`sightline <command> --help\` for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`sightline: unknown command "${name}"\n\n${overview}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sightline ${name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    console.error(`sightline ${name}: ${formatError(err)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
