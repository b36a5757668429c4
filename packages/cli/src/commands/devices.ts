import type { Device, EnrollmentToken } from '@sightline/protocol';
import { formatAgo, formatBytes, formatTime, printJson } from '../display.js';
import { hubOptions, hubUsage, splitSubcommand, takePositionals, withHub } from '../hub-client.js';
import { parseCommandArgs } from '../parse-args.js';
import { formatFields, formatTable } from '../table.js';
import { UsageError } from '../usage-error.js';

export const devicesUsage = `sightline devices list
sightline devices create <id> [--name NAME]
sightline devices get <id>
sightline devices delete <id>
sightline devices token <id>

  list     devices with their status, last heartbeat and config state
  create   register a device and print its one-time enrollment token and the command to run on the device
  get      one device in detail, with the health of each camera
  delete   remove a device and its cameras
  token    a new enrollment token (the previous one stops working), e.g. to re-enroll a reinstalled device

${hubUsage}`;

export async function devicesCommand(argv: string[]): Promise<number> {
  const [sub, rest] = splitSubcommand(argv);
  switch (sub) {
    case 'list': {
      const { values, positionals } = parseCommandArgs(rest, hubOptions);
      takePositionals(positionals, [], 'devices list');
      return withHub(values, async ({ client }) => {
        const devices = await client.devices.list();
        if (values.json) printJson(devices);
        else console.log(devices.length === 0 ? 'no devices (add one with `sightline devices create <id>`)' : devicesTable(devices));
        return 0;
      });
    }
    case 'create': {
      const { values, positionals } = parseCommandArgs(rest, { ...hubOptions, name: { type: 'string' } });
      const [id] = takePositionals(positionals, ['id'], 'devices create');
      return withHub(values, async ({ client, hubUrl }) => {
        const created = await client.devices.create({ id: id!, name: values.name });
        if (values.json) printJson(created);
        else console.log(`created device ${created.device.id}\n${enrollmentText(created.enrollment, hubUrl)}`);
        return 0;
      });
    }
    case 'get': {
      const { values, positionals } = parseCommandArgs(rest, hubOptions);
      const [id] = takePositionals(positionals, ['id'], 'devices get');
      return withHub(values, async ({ client }) => {
        const device = await client.devices.get(id!);
        if (values.json) printJson(device);
        else console.log(deviceDetails(device));
        return 0;
      });
    }
    case 'delete': {
      const { values, positionals } = parseCommandArgs(rest, hubOptions);
      const [id] = takePositionals(positionals, ['id'], 'devices delete');
      return withHub(values, async ({ client }) => {
        await client.devices.delete(id!);
        if (!values.json) console.log(`deleted device ${id}`);
        return 0;
      });
    }
    case 'token': {
      const { values, positionals } = parseCommandArgs(rest, hubOptions);
      const [id] = takePositionals(positionals, ['id'], 'devices token');
      return withHub(values, async ({ client, hubUrl }) => {
        const token = await client.devices.newEnrollmentToken(id!);
        if (values.json) printJson(token);
        else console.log(enrollmentText(token, hubUrl));
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown devices subcommand "${sub}"`);
  }
}

/**
 * The token and the command to run on the device. The hub composes the command with the address devices should
 * use (which may differ from the one this CLI reached it by); without one, this CLI's hub URL stands in.
 */
function enrollmentText(enrollment: EnrollmentToken, hubUrl: string): string {
  const command = enrollment.command || `sightline edge --hub ${hubUrl} --token ${enrollment.token}`;
  return [
    `enrollment token: ${enrollment.token}`,
    `expires: ${formatTime(enrollment.expiresAt)} (single use)`,
    'run this on the device:',
    `  ${command}`,
  ].join('\n');
}

function devicesTable(devices: Device[]): string {
  return formatTable(
    ['ID', 'NAME', 'STATUS', 'LAST SEEN', 'VERSION', 'CAMERAS', 'CONFIG'],
    devices.map((d) => [d.id, d.name ?? '', deviceStatus(d), formatAgo(d.lastSeenAt), d.version ?? '', String(d.cameras.length), configState(d)]),
  );
}

function deviceStatus(d: Device): string {
  if (!d.enrolled) return 'not enrolled';
  return d.online ? 'online' : 'offline';
}

/** Whether the device runs the config the hub holds for it. */
function configState(d: Device): string {
  const wanted = `v${d.configVersion}`;
  if (d.appliedVersion === null) return `${wanted} pending`;
  if (d.appliedVersion !== d.configVersion) return `${wanted} pending (runs v${d.appliedVersion})`;
  return d.appliedOk === false ? `${wanted} failed` : `${wanted} applied`;
}

function deviceDetails(d: Device): string {
  const fields: [string, string][] = [
    ['device', d.id],
    ['name', d.name ?? ''],
    ['status', `${deviceStatus(d)}, last seen ${formatAgo(d.lastSeenAt)}`],
    ['version', d.version ?? 'unknown'],
    ['created', formatTime(d.createdAt)],
    ['config', configState(d)],
  ];
  if (d.cpuPercent !== null) fields.push(['cpu', `${d.cpuPercent.toFixed(1)} %`]);
  if (d.memoryBytes !== null) fields.push(['memory', formatBytes(d.memoryBytes)]);
  if (d.outbox) fields.push(['outbox', `${d.outbox.pending} pending, ${d.outbox.dropped} dropped`]);
  const parts = [formatFields(fields)];
  if (d.appliedErrors.length > 0) {
    parts.push(d.appliedErrors.map((e) => `config error: ${e.cameraId ? `camera ${e.cameraId}: ` : ''}${e.path ? `${e.path}: ` : ''}${e.message}`).join('\n'));
  }
  if (d.cameras.length > 0) {
    parts.push(
      formatTable(
        ['CAMERA', 'STATE', 'FPS', 'DROPPED', 'INFERENCE', 'MESSAGE'],
        d.cameras.map((c) => [c.cameraId, c.state, c.fps.toFixed(1), String(c.droppedFrames), `${c.inferenceMs.toFixed(1)} ms`, c.message ?? '']),
      ),
    );
  }
  return parts.join('\n\n');
}
