/** Command-line flags of `npm run bench:ingest`. */

export const CONFIGURATIONS = ['sqlite-embedded', 'sqlite-mosquitto', 'postgres-embedded', 'postgres-mosquitto'] as const;
export type ConfigurationName = (typeof CONFIGURATIONS)[number];

export const CONFIGURATION_TITLES: Record<ConfigurationName, string> = {
  'sqlite-embedded': 'SQLite + embedded broker',
  'sqlite-mosquitto': 'SQLite + mosquitto',
  'postgres-embedded': 'PostgreSQL + embedded broker',
  'postgres-mosquitto': 'PostgreSQL + mosquitto',
};

export interface BenchOptions {
  devices: number;
  /** Offered rates, events per second over all devices, in the order they are run. */
  steps: number[];
  stepSeconds: number;
  warmupSeconds: number;
  batchMin: number;
  batchMax: number;
  /** Batches a device keeps published and unacknowledged at once (the edge's default is 3). */
  window: number;
  /** Pause between two visibility polls of one device. */
  pollMs: number;
  /** Share of events sent with a JPEG snapshot (0 to 1). */
  snapshotShare: number;
  configurations: ConfigurationName[];
  /** A step counts as sustained when its visibility p99 is under this. */
  p99TargetMs: number;
  /** A step counts as kept up when at least this share of its offered events was sent and acknowledged. */
  keptUpShare: number;
  /** How many times a step disturbed by other work on the machine is run again. */
  contendedRetries: number;
  profile: boolean;
  breakdown: boolean;
}

const USAGE = `usage: npm run bench:ingest -- [--quick] [--devices N] [--steps 5000,10000,...] [--step-seconds S]
  [--batch MIN-MAX] [--window N] [--poll-ms MS] [--snapshots SHARE] [--only sqlite-embedded,postgres-mosquitto,...]
  [--retries N] [--profile] [--no-breakdown]`;

export function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    devices: 8,
    steps: [5000, 10000, 15000, 20000, 25000, 30000, 40000],
    stepSeconds: 5,
    warmupSeconds: 2,
    batchMin: 250,
    batchMax: 500,
    window: 3,
    pollMs: 20,
    snapshotShare: 0,
    configurations: [...CONFIGURATIONS],
    p99TargetMs: 250,
    keptUpShare: 0.99,
    contendedRetries: 2,
    profile: false,
    breakdown: true,
  };
  const quick = argv.includes('--quick');
  if (quick) {
    options.steps = [5000, 10000, 20000, 30000];
    options.stepSeconds = 2;
    options.warmupSeconds = 1;
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--quick':
        break;
      case '--devices':
        options.devices = positiveInteger(flag, value());
        break;
      case '--steps':
        options.steps = value().split(',').map((s) => positiveInteger(flag, s.trim()));
        break;
      case '--step-seconds':
        options.stepSeconds = positiveNumber(flag, value());
        break;
      case '--batch': {
        const [min, max] = value().split('-');
        options.batchMin = positiveInteger(flag, min ?? '');
        options.batchMax = max === undefined ? options.batchMin : positiveInteger(flag, max);
        if (options.batchMax < options.batchMin || options.batchMax > 5000) throw new Error(`--batch: MIN-MAX with MIN ≤ MAX ≤ 5000`);
        break;
      }
      case '--window':
        options.window = positiveInteger(flag, value());
        break;
      case '--poll-ms':
        options.pollMs = positiveNumber(flag, value());
        break;
      case '--snapshots': {
        const share = Number(value());
        if (!(share >= 0 && share <= 1)) throw new Error('--snapshots takes a share between 0 and 1');
        options.snapshotShare = share;
        break;
      }
      case '--only': {
        const names = value().split(',').map((s) => s.trim());
        for (const name of names) {
          if (!(CONFIGURATIONS as readonly string[]).includes(name)) throw new Error(`--only: unknown configuration "${name}"; known: ${CONFIGURATIONS.join(', ')}`);
        }
        options.configurations = CONFIGURATIONS.filter((c) => names.includes(c));
        break;
      }
      case '--retries':
        options.contendedRetries = Number(value());
        if (!Number.isInteger(options.contendedRetries) || options.contendedRetries < 0) throw new Error('--retries needs a whole number ≥ 0');
        break;
      case '--profile':
        options.profile = true;
        break;
      case '--no-breakdown':
        options.breakdown = false;
        break;
      default:
        throw new Error(`unknown flag "${flag}"\n${USAGE}`);
    }
  }
  return options;
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got "${text}"`);
  return n;
}

function positiveNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!(n > 0)) throw new Error(`${flag} needs a positive number, got "${text}"`);
  return n;
}
