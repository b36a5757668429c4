#!/usr/bin/env node
import { analyzeCommand, analyzeUsage } from './commands/analyze.js';
import { demoCommand, demoUsage } from './commands/demo.js';
import { detectCommand, detectUsage } from './commands/detect.js';
import { modelsCommand, modelsUsage } from './commands/models.js';
import { formatError } from './format-error.js';
import { UsageError } from './usage-error.js';

const commands: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  analyze: { run: analyzeCommand, usage: analyzeUsage },
  detect: { run: detectCommand, usage: detectUsage },
  models: { run: modelsCommand, usage: modelsUsage },
  demo: { run: demoCommand, usage: demoUsage },
};

const overview = `sightline: intelligent cameras, analysed at the edge

Usage:
  sightline analyze <source> [--model M] [--config analytics.yaml] [--out events.jsonl] [--annotate out.mp4] [--fps N]
  sightline detect <image|video|dir> [--model M] [--threshold T] [--json]
  sightline models list | fetch <name>
  sightline demo

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
