import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startHub } from '@sightline/hub';
import { startEdge } from '@sightline/edge';
import { SightlineClient } from '@sightline/sdk';
import { cachedModelDir, catalogModels, sharedDataPath } from '@sightline/vision';
import { parseCommandArgs, parseNumberOption } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import { waitForShutdownSignal } from '../wait-for-signal.js';

export const demoUsage = `sightline demo [options]

  Starts a hub and an edge agent in one process on the embedded defaults (SQLite, built-in MQTT broker), with one
  camera playing a sample video in a loop through the default model, and prints the console, API and docs URLs with an
  admin key. Everything lives in a temporary directory removed on exit.
  --video V      the camera: a video file (played in a loop), rtsp://… or another source
                 (default: the shared sample ../shared/data/videos/worker_factory_floor.mp4)
  --model M      model package, catalogue name or .onnx (default: the shared yolox_nano.onnx, else yolox-nano)
  --port N       HTTP port (default 8080)
  --fps N        analysis rate (default 5)
  --keep         keep the demo directory on exit`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    video: { type: 'string' },
    model: { type: 'string' },
    port: { type: 'string' },
    fps: { type: 'string' },
    keep: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const port = parseNumberOption('port', values.port, { min: 0, max: 65535, integer: true }) ?? 8080;
  const fps = parseNumberOption('fps', values.fps, { min: 0.1, max: 60 }) ?? 5;

  const source = pickSource(values.video);
  const model = pickModel(values.model);
  if (!source || !model) {
    process.stderr.write(
      'sightline demo: no sample data here (../shared/data beside the repository, or $SIGHTLINE_SHARED_DATA).\n' +
        'Give it a camera and a model instead:\n' +
        '  sightline models fetch yolox-nano\n' +
        '  sightline demo --video <video file or rtsp://camera> --model yolox-nano\n',
    );
    return 1;
  }

  const dir = mkdtempSync(join(tmpdir(), 'sightline-demo-'));
  const hub = await startHub({ dataDir: join(dir, 'hub'), host: '127.0.0.1', port, mqttPort: 0, mqttWsPort: null, logLevel: 'warn', modelCatalogue: catalogModels() });
  let edge: Awaited<ReturnType<typeof startEdge>> | undefined;
  try {
    const password = randomBytes(9).toString('base64url');
    const anonymous = new SightlineClient({ baseUrl: hub.url });
    const { apiKey } = await anonymous.auth.setup({ username: 'admin', password });
    const client = new SightlineClient({ baseUrl: hub.url, apiKey: apiKey.key });
    const { enrollment } = await client.devices.create({ id: 'demo-edge', name: 'Demo edge agent' });
    edge = await startEdge({ dataDir: join(dir, 'edge'), hubUrl: hub.url, token: enrollment.token, heartbeatMs: 5000, logLevel: 'warn' });
    await client.cameras.create({ deviceId: 'demo-edge', id: 'demo-camera', name: 'Demo camera', source, model, fps });

    process.stdout.write(
      [
        'Sightline demo is running: a hub and an edge agent analysing one camera.',
        `  console ${hub.url}/   (sign in as "admin" with the password below)`,
        `  camera  ${source}`,
        `  model   ${model}`,
        `  API     ${hub.url}/api/v1   (Authorization: Bearer ${apiKey.key})`,
        `  docs    ${hub.url}/docs?access_token=${apiKey.key}`,
        `  admin   user "admin", password "${password}"`,
        'Try:',
        `  curl -H 'Authorization: Bearer ${apiKey.key}' '${hub.url}/api/v1/events?limit=5'`,
        `  SIGHTLINE_HUB=${hub.url} SIGHTLINE_API_KEY=${apiKey.key} sightline events follow`,
        'Ctrl-C stops it.',
        '',
      ].join('\n'),
    );
    await waitForShutdownSignal();
  } finally {
    await edge?.close();
    await hub.close();
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`sightline demo: kept ${dir}\n`);
  }
  return 0;
}

/** A file plays in a loop so the demo camera never runs dry; any other source is used as given. */
function pickSource(video: string | undefined): string | undefined {
  const candidate = video ?? sharedDataPath('videos/worker_factory_floor.mp4');
  if (/^[a-z][a-z0-9+.-]*:/i.test(candidate) && !/^[a-z]:\\/i.test(candidate)) return candidate;
  return existsSync(candidate) ? `loop:${resolve(candidate)}` : undefined;
}

function pickModel(model: string | undefined): string | undefined {
  if (model) return model;
  const shared = sharedDataPath('models/yolox_nano.onnx');
  if (existsSync(shared)) return shared;
  return existsSync(join(cachedModelDir('yolox-nano'), 'model.json')) ? 'yolox-nano' : undefined;
}
