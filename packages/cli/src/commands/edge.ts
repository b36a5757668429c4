import { startEdge } from '@sightline/edge';
import { parseCommandArgs, parseNumberOption } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import { defaultDataDir } from '../default-data-dir.js';
import { waitForShutdownSignal } from '../wait-for-signal.js';

export const edgeUsage = `sightline edge [--hub URL --token T] [options]

  Runs the edge agent. The first start enrolls with the hub using a one-time token (from the console or
  \`sightline devices create\`) and stores the device credentials (mode 0600); later starts need no token.
  --hub URL           the hub, e.g. http://hub.local:8080
  --token T           one-time enrollment token
  --reenroll          enroll again with --token even if already enrolled
  --data-dir DIR      credentials and event outbox (default ${defaultDataDir('edge')})
  --outbox-mb N       outbox disk budget; past it the oldest undelivered events are dropped (default 512)
  --heartbeat-s N     heartbeat interval (default 10)
  --workers N         inference worker threads (default: min(4, cores))
  --threads N         onnxruntime threads per worker (default 1)
  --log-level L       trace, debug, info (default), warn, error`;

export async function edgeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    hub: { type: 'string' },
    token: { type: 'string' },
    reenroll: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    'outbox-mb': { type: 'string' },
    'heartbeat-s': { type: 'string' },
    workers: { type: 'string' },
    threads: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.hub && !/^https?:\/\//.test(values.hub)) throw new UsageError(`--hub must be an http(s):// URL, got "${values.hub}"`);
  if (values.token && !values.hub) throw new UsageError('--token needs --hub');
  const outboxMb = parseNumberOption('outbox-mb', values['outbox-mb'], { min: 1, max: 1_000_000 });
  const heartbeatS = parseNumberOption('heartbeat-s', values['heartbeat-s'], { min: 0.2, max: 3600 });
  const edge = await startEdge({
    dataDir: values['data-dir'] ?? defaultDataDir('edge'),
    hubUrl: values.hub,
    token: values.token,
    reenroll: values.reenroll,
    outboxBudgetBytes: outboxMb === undefined ? undefined : outboxMb * 1024 * 1024,
    heartbeatMs: heartbeatS === undefined ? undefined : heartbeatS * 1000,
    workers: parseNumberOption('workers', values.workers, { min: 1, max: 64, integer: true }),
    threadsPerWorker: parseNumberOption('threads', values.threads, { min: 1, max: 64, integer: true }),
    logLevel: values['log-level'],
  });
  process.stderr.write(`sightline edge: running as device "${edge.deviceId}"\n`);
  await waitForShutdownSignal();
  await edge.close();
  return 0;
}
