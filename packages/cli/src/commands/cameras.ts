import type { AnalyticsConfig, Camera, UpdateCameraRequest } from '@sightline/protocol';
import { loadAnalyticsConfig } from '@sightline/vision';
import { formatTime, plural, printJson, redactSource } from '../display.js';
import { hubOptions, hubUsage, splitSubcommand, takePositionals, withHub } from '../hub-client.js';
import { parseCommandArgs, parseNumberOption } from '../parse-args.js';
import { formatFields, formatTable } from '../table.js';
import { UsageError } from '../usage-error.js';

export const camerasUsage = `sightline cameras list [--device D]
sightline cameras add <id> --device D --source S [camera options]
sightline cameras update <id> [camera options]
sightline cameras get <id>
sightline cameras delete <id>

  The hub sends each change to the camera's device, which applies it without a restart.

camera options:
  --source S       as the device sees it: file path, rtsp://…, http(s)://… or .m3u8, /dev/videoN, lavfi:<graph>
  --model M        catalogue name or model package path on the device (default: yolox-nano)
  --fps N          analysis rate (default: 5)
  --name NAME      a readable name
  --config FILE    zones and lines, the same YAML or JSON as \`sightline analyze --config\`
  --disabled       keep the camera configured but stopped (update: --enabled starts it again)
  --motion / --no-motion   motion gating (default: the device decides by source type)

${hubUsage}`;

const cameraOptions = {
  source: { type: 'string' },
  model: { type: 'string' },
  fps: { type: 'string' },
  name: { type: 'string' },
  config: { type: 'string' },
  disabled: { type: 'boolean' },
  motion: { type: 'boolean' },
  'no-motion': { type: 'boolean' },
} as const;

interface CameraOptionValues {
  source?: string;
  model?: string;
  fps?: string;
  name?: string;
  config?: string;
  disabled?: boolean;
  enabled?: boolean;
  motion?: boolean;
  'no-motion'?: boolean;
}

export async function camerasCommand(argv: string[]): Promise<number> {
  const [sub, rest] = splitSubcommand(argv);
  switch (sub) {
    case 'list': {
      const { values, positionals } = parseCommandArgs(rest, { ...hubOptions, device: { type: 'string' } });
      takePositionals(positionals, [], 'cameras list');
      return withHub(values, async ({ client }) => {
        const cameras = await client.cameras.list({ deviceId: values.device });
        if (values.json) printJson(cameras);
        else console.log(cameras.length === 0 ? 'no cameras (add one with `sightline cameras add <id> --device D --source S`)' : camerasTable(cameras));
        return 0;
      });
    }
    case 'add': {
      const { values, positionals } = parseCommandArgs(rest, { ...hubOptions, ...cameraOptions, device: { type: 'string' } });
      const [id] = takePositionals(positionals, ['id'], 'cameras add');
      if (!values.device) throw new UsageError('cameras add needs --device D (the device that runs the camera)');
      if (!values.source) throw new UsageError('cameras add needs --source S (a URL or path as the device sees it)');
      const changes = await cameraChanges(values);
      return withHub(values, async ({ client }) => {
        const camera = await client.cameras.create({ ...changes, source: values.source!, id: id!, deviceId: values.device! });
        if (values.json) printJson(camera);
        else console.log(`added camera ${camera.id} to device ${camera.deviceId}\n\n${cameraDetails(camera)}`);
        return 0;
      });
    }
    case 'update': {
      const { values, positionals } = parseCommandArgs(rest, { ...hubOptions, ...cameraOptions, enabled: { type: 'boolean' }, device: { type: 'string' } });
      const [id] = takePositionals(positionals, ['id'], 'cameras update');
      if (values.device !== undefined) throw new UsageError('a camera cannot move to another device: delete it and add it there');
      const changes = await cameraChanges(values);
      if (Object.keys(changes).length === 0) throw new UsageError('cameras update needs at least one camera option to change');
      return withHub(values, async ({ client }) => {
        const camera = await client.cameras.update(id!, changes);
        if (values.json) printJson(camera);
        else console.log(`updated camera ${camera.id}\n\n${cameraDetails(camera)}`);
        return 0;
      });
    }
    case 'get': {
      const { values, positionals } = parseCommandArgs(rest, hubOptions);
      const [id] = takePositionals(positionals, ['id'], 'cameras get');
      return withHub(values, async ({ client }) => {
        const camera = await client.cameras.get(id!);
        if (values.json) printJson(camera);
        else console.log(cameraDetails(camera));
        return 0;
      });
    }
    case 'delete': {
      const { values, positionals } = parseCommandArgs(rest, hubOptions);
      const [id] = takePositionals(positionals, ['id'], 'cameras delete');
      return withHub(values, async ({ client }) => {
        await client.cameras.delete(id!);
        if (!values.json) console.log(`deleted camera ${id}`);
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown cameras subcommand "${sub}"`);
  }
}

/** The camera fields the options set; the config file is loaded and checked here, before the hub is asked. */
async function cameraChanges(values: CameraOptionValues): Promise<UpdateCameraRequest> {
  if (values.disabled && values.enabled) throw new UsageError('--disabled and --enabled contradict each other');
  if (values.motion && values['no-motion']) throw new UsageError('--motion and --no-motion contradict each other');
  const changes: UpdateCameraRequest = {};
  if (values.source !== undefined) changes.source = values.source;
  if (values.model !== undefined) changes.model = values.model;
  if (values.name !== undefined) changes.name = values.name;
  const fps = parseNumberOption('fps', values.fps, { min: 0.01, max: 120 });
  if (fps !== undefined) changes.fps = fps;
  if (values.disabled) changes.enabled = false;
  if (values.enabled) changes.enabled = true;
  if (values.motion) changes.motion = true;
  if (values['no-motion']) changes.motion = false;
  if (values.config !== undefined) changes.analytics = await loadAnalyticsConfig(values.config);
  return changes;
}

function camerasTable(cameras: Camera[]): string {
  return formatTable(
    ['ID', 'DEVICE', 'NAME', 'SOURCE', 'MODEL', 'FPS', 'ENABLED', 'ANALYTICS', 'STATE', 'CONFIG'],
    cameras.map((c) => [
      c.id,
      c.deviceId,
      c.config.name ?? '',
      redactSource(c.config.source),
      c.config.model,
      String(c.config.fps),
      c.config.enabled ? 'yes' : 'no',
      analyticsSummary(c.config.analytics),
      runState(c),
      configState(c),
    ]),
  );
}

function analyticsSummary(a: AnalyticsConfig): string {
  if (a.zones.length === 0 && a.lines.length === 0) return 'whole frame';
  return `${plural(a.zones.length, 'zone')}, ${plural(a.lines.length, 'line')}`;
}

function runState(c: Camera): string {
  if (!c.health) return 'unknown';
  return c.health.state === 'running' ? `running ${c.health.fps.toFixed(1)} fps` : c.health.state;
}

function configState(c: Camera): string {
  const version = `v${c.configVersion}`;
  if (c.applied === null) return `${version} pending`;
  return c.applied ? `${version} applied` : `${version} not applied`;
}

function cameraDetails(c: Camera): string {
  const { config } = c;
  const fields: [string, string][] = [
    ['camera', c.id],
    ['device', c.deviceId],
    ['name', config.name ?? ''],
    ['source', redactSource(config.source)],
    ['model', config.model],
    ['fps', String(config.fps)],
    ['enabled', config.enabled ? 'yes' : 'no'],
    ['motion', config.motion === undefined ? 'device default' : config.motion ? 'on' : 'off'],
    ['analytics', analyticsSummary(config.analytics)],
    ['state', runState(c) + (c.health?.message ? ` (${c.health.message})` : '')],
    ['config', configState(c)],
    ['updated', formatTime(c.updatedAt)],
  ];
  const geometry = [
    ...config.analytics.zones.map((z) => `zone ${z.id}: ${z.polygon.length} points${z.loiterSeconds ? `, loiter after ${z.loiterSeconds} s` : ''}`),
    ...config.analytics.lines.map((l) => `line ${l.id}: (${l.a.join(', ')}) → (${l.b.join(', ')})`),
  ];
  return [formatFields(fields), ...(geometry.length > 0 ? [geometry.join('\n')] : [])].join('\n\n');
}
