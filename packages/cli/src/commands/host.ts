import { startHost } from '@sightline/host';
import { parseCommandArgs, parseNumberOption } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import { defaultDataDir } from '../default-data-dir.js';
import { waitForShutdownSignal } from '../wait-for-signal.js';

export const hostUsage = `sightline host [--hub URL --token T] [options]

  Runs a cloud-streaming host: the hub places players' sessions on it, each one an app on its own virtual display
  (Xvfb), captured and encoded (x264, VP8, or a hardware encoder ffmpeg can use here), streamed over WebRTC, with the
  player's input injected into that display only. The first start enrolls with a one-time token (from the console's
  Hosts section or \`POST /api/v1/devices\` with kind "host"); later starts need no token. Run it as root so each
  session's app gets its own unprivileged uid. Needs xvfb, ffmpeg and util-linux's setpriv.
  --hub URL           the hub, e.g. http://hub.local:8080
  --token T           one-time enrollment token
  --reenroll          enroll again with --token even if already enrolled
  --data-dir DIR      credentials and players' save data (default ${defaultDataDir('host')})
  --slots N           concurrent sessions offered (default: one per two cores)
  --max-width N       largest session picture (default 1920)
  --max-height N      (default 1080)
  --max-fps N         (default 60)
  --heartbeat-s N     heartbeat interval, at most 10 (default 5)
  --log-level L       trace, debug, info (default), warn, error`;

export async function hostCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    hub: { type: 'string' },
    token: { type: 'string' },
    reenroll: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    slots: { type: 'string' },
    'max-width': { type: 'string' },
    'max-height': { type: 'string' },
    'max-fps': { type: 'string' },
    'heartbeat-s': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.hub && !/^https?:\/\//.test(values.hub)) throw new UsageError(`--hub must be an http(s):// URL, got "${values.hub}"`);
  if (values.token && !values.hub) throw new UsageError('--token needs --hub');
  // The hub takes a host that is silent for 20 s as gone.
  const heartbeatS = parseNumberOption('heartbeat-s', values['heartbeat-s'], { min: 0.2, max: 10 });
  const host = await startHost({
    dataDir: values['data-dir'] ?? defaultDataDir('host'),
    hubUrl: values.hub,
    token: values.token,
    reenroll: values.reenroll,
    slots: parseNumberOption('slots', values.slots, { min: 0, max: 256, integer: true }),
    maxWidth: parseNumberOption('max-width', values['max-width'], { min: 160, max: 7680, integer: true }),
    maxHeight: parseNumberOption('max-height', values['max-height'], { min: 120, max: 4320, integer: true }),
    maxFps: parseNumberOption('max-fps', values['max-fps'], { min: 1, max: 240, integer: true }),
    heartbeatMs: heartbeatS === undefined ? undefined : heartbeatS * 1000,
    logLevel: values['log-level'],
  });
  const encoders = host.capacity.encoders.map((e) => e.encoder).join(', ');
  process.stderr.write(`sightline host: running as host "${host.hostId}", ${host.capacity.slots} slot(s), encoders ${encoders}\n`);
  await waitForShutdownSignal();
  await host.close();
  return 0;
}
