import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { ResourceIdSchema, TOPIC_ROOT } from '@sightline/protocol';
import { parseDynsecResponses, type DynsecResponse } from './dynsec-responses.js';

/**
 * Confines each device to its own topic subtree on an external mosquitto (2.0+) through its dynamic security
 * plugin, driven over MQTT by a client logged in as a dynsec admin.
 *
 * Every device is a dynsec client (username = device id) with one role, `sightline-device-<id>`, that allows
 * publishing, subscribing and receiving under `sightline/v1/devices/<id>/#` and nothing else; the broker's
 * default access denies publish, subscribe and delivery everywhere a role does not allow it. The hub's own
 * clients get the `sightline-hub` role, which allows all of `sightline/#`.
 */

export const DYNSEC_CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_CONTROL_TOPIC}/response`;
export const HUB_ROLE = 'sightline-hub';
export const HUB_TOPIC_FILTER = 'sightline/#';

export const deviceRoleName = (deviceId: string) => `sightline-device-${deviceId}`;
export const deviceTopicFilter = (deviceId: string) => `${TOPIC_ROOT}/${deviceId}/#`;

type AclType =
  | 'publishClientSend'
  | 'publishClientReceive'
  | 'subscribeLiteral'
  | 'subscribePattern'
  | 'unsubscribeLiteral'
  | 'unsubscribePattern';

interface Acl {
  acltype: AclType;
  topic: string;
  allow: boolean;
  priority?: number;
}

type DynsecCommand = { command: string } & Record<string, unknown>;

/** A command the dynamic security plugin answered with an error, or did not answer at all. */
export class DynsecError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
    this.name = 'DynsecError';
  }
}

export interface MosquittoDynsecOptions {
  /** How long to wait for the plugin's answer to one batch of commands. */
  timeoutMs?: number;
}

/** Full access to a subtree: what a role needs to own it. */
function subtreeAcls(filter: string): Acl[] {
  return [
    { acltype: 'publishClientSend', topic: filter, allow: true },
    { acltype: 'publishClientReceive', topic: filter, allow: true },
    { acltype: 'subscribePattern', topic: filter, allow: true },
    { acltype: 'unsubscribePattern', topic: filter, allow: true },
  ];
}

function validDeviceId(deviceId: string): string {
  const parsed = ResourceIdSchema.safeParse(deviceId);
  if (!parsed.success) throw new TypeError(`invalid device id ${JSON.stringify(deviceId)}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function validSecret(what: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${what} must be a non-empty string`);
  return value;
}

interface Pending {
  command: string;
  resolve: (response: DynsecResponse) => void;
  reject: (error: Error) => void;
}

export class MosquittoDynsec {
  private readonly timeoutMs: number;
  private readonly pending = new Map<string, Pending>();
  private subscribed: Promise<void> | undefined;
  private defaultsApplied: Promise<void> | undefined;
  private readonly onMessage = (topic: string, payload: Buffer) => {
    if (topic !== DYNSEC_RESPONSE_TOPIC) return;
    for (const response of parseDynsecResponses(payload)) {
      const waiter = response.correlationData === undefined ? undefined : this.pending.get(response.correlationData);
      if (!waiter) continue; // another controller's answer on the same connection
      this.pending.delete(response.correlationData as string);
      waiter.resolve(response);
    }
  };

  /** `client` must be connected and logged in as a user with the dynsec admin role. */
  constructor(
    private readonly client: MqttClient,
    options: MosquittoDynsecOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    client.on('message', this.onMessage);
  }

  /**
   * Creates the device's client and role, or brings existing ones up to date (new password, the role's ACLs).
   * mosquitto disconnects a connected device whose client is modified, so it logs in again with the new password.
   */
  async upsertDevice(deviceId: string, password: string): Promise<void> {
    const id = validDeviceId(deviceId);
    validSecret('device password', password);
    await this.applyDefaultAccess();
    const rolename = deviceRoleName(id);
    const acls = subtreeAcls(deviceTopicFilter(id));
    await this.upsertRole(rolename, acls);
    const roles = [{ rolename }];
    const [created] = await this.send([{ command: 'createClient', username: id, password, roles }], ['Client already exists']);
    if (!created?.error) return;
    // Never take over a client that is not this device's, such as the admin or the hub user.
    const foreign = (await this.clientRoles(id)).filter((role) => role !== rolename);
    if (foreign.length > 0) {
      throw new DynsecError('modifyClient', `mosquitto client "${id}" exists with other roles (${foreign.join(', ')}): not overwriting it with a device`);
    }
    await this.send([{ command: 'modifyClient', username: id, password, roles }]);
  }

  /** Deletes the device's client (mosquitto disconnects it) and its role. A device that is not there is fine. */
  async removeDevice(deviceId: string): Promise<void> {
    const id = validDeviceId(deviceId);
    await this.send(
      [
        { command: 'deleteClient', username: id },
        { command: 'deleteRole', rolename: deviceRoleName(id) },
      ],
      ['Client not found', 'Role not found'],
    );
  }

  /**
   * Creates the hub's service client with full access to `sightline/#`, or resets its password and adds that
   * access (keeping its other roles). mosquitto disconnects the existing sessions of a client it modifies.
   */
  async ensureHubUser(username: string, password: string): Promise<void> {
    validSecret('hub username', username);
    validSecret('hub password', password);
    if (username === this.client.options.username) {
      // mosquitto disconnects every session of a client whose password or roles change: this one included.
      throw new TypeError(`the hub user must not be the dynsec admin this controller is logged in as (${username})`);
    }
    await this.applyDefaultAccess();
    await this.upsertRole(HUB_ROLE, subtreeAcls(HUB_TOPIC_FILTER));
    const [created] = await this.send(
      [{ command: 'createClient', username, password, roles: [{ rolename: HUB_ROLE }] }],
      ['Client already exists'],
    );
    if (!created?.error) return;
    await this.send([{ command: 'setClientPassword', username, password }]);
    await this.addRoleIfMissing(username, HUB_ROLE);
  }

  /**
   * Denies publish, subscribe and delivery wherever no role allows them (unsubscribing stays allowed, it grants
   * nothing). Run once per instance before the first change; the other methods call it themselves.
   */
  applyDefaultAccess(): Promise<void> {
    this.defaultsApplied ??= this.send([
      {
        command: 'setDefaultACLAccess',
        acls: [
          { acltype: 'publishClientSend', allow: false },
          { acltype: 'publishClientReceive', allow: false },
          { acltype: 'subscribe', allow: false },
          { acltype: 'unsubscribe', allow: true },
        ],
      },
    ]).then(
      () => undefined,
      (error: unknown) => {
        this.defaultsApplied = undefined;
        throw error;
      },
    );
    return this.defaultsApplied;
  }

  /** The role names a client holds. */
  async clientRoles(username: string): Promise<string[]> {
    const [response] = await this.send([{ command: 'getClient', username }]);
    const client = (response?.data as { client?: { roles?: { rolename?: unknown }[] } } | undefined)?.client;
    return (client?.roles ?? []).map((r) => r.rolename).filter((name): name is string => typeof name === 'string');
  }

  /** Stops listening for answers; the MQTT client stays connected and belongs to the caller. */
  close(): void {
    this.client.off('message', this.onMessage);
    for (const waiter of this.pending.values()) waiter.reject(new DynsecError(waiter.command, 'dynsec controller closed'));
    this.pending.clear();
  }

  private async upsertRole(rolename: string, acls: Acl[]): Promise<void> {
    const [created] = await this.send([{ command: 'createRole', rolename, acls }], ['Role already exists']);
    if (created?.error) await this.send([{ command: 'modifyRole', rolename, acls }]);
  }

  private async addRoleIfMissing(username: string, rolename: string): Promise<void> {
    // addClientRole answers "Internal error" for a role the client already has, so look first.
    if ((await this.clientRoles(username)).includes(rolename)) return;
    await this.send([{ command: 'addClientRole', username, rolename }]);
  }

  private ensureSubscribed(): Promise<void> {
    this.subscribed ??= this.client.subscribeAsync(DYNSEC_RESPONSE_TOPIC, { qos: 1 }).then(
      (granted) => {
        const code = granted[0]?.qos ?? 128;
        if (code >= 128) throw new DynsecError('subscribe', `subscribing to ${DYNSEC_RESPONSE_TOPIC} was refused (code ${code}): is this MQTT user a dynsec admin?`);
      },
      (error: unknown) => {
        const reason = `could not subscribe to ${DYNSEC_RESPONSE_TOPIC}: ${(error as Error).message} (is this MQTT user a dynsec admin?)`;
        throw new DynsecError('subscribe', reason);
      },
    );
    this.subscribed.catch(() => (this.subscribed = undefined));
    return this.subscribed;
  }

  /**
   * Sends commands in one message and waits for all their answers. An answer with an error rejects, unless
   * its error text is one of `tolerated` (then the answer is returned with its error for the caller to read).
   */
  private async send(commands: DynsecCommand[], tolerated: string[] = []): Promise<DynsecResponse[]> {
    await this.ensureSubscribed();
    const tagged = commands.map((command) => ({ ...command, correlationData: randomUUID() }));
    const answers = Promise.all(tagged.map((command) => this.awaitAnswer(command.command, command.correlationData)));
    // Not awaited on its own: on a dropped connection the publish may never settle, and the answers' timeout
    // is what ends the wait then.
    this.client.publishAsync(DYNSEC_CONTROL_TOPIC, JSON.stringify({ commands: tagged }), { qos: 1 }).catch((error: unknown) => {
      for (const command of tagged) {
        const reason = `could not publish to ${DYNSEC_CONTROL_TOPIC}: ${(error as Error).message} (is this MQTT user a dynsec admin?)`;
        this.settle(command.correlationData, new DynsecError(command.command, reason));
      }
    });
    const responses = await answers;
    for (const response of responses) {
      if (response.error && !tolerated.includes(response.error)) {
        throw new DynsecError(response.command, `mosquitto dynsec ${response.command} failed: ${response.error}`);
      }
    }
    return responses;
  }

  private awaitAnswer(command: string, correlationData: string): Promise<DynsecResponse> {
    return new Promise<DynsecResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(
          correlationData,
          new DynsecError(
            command,
            `mosquitto dynsec did not answer ${command} within ${this.timeoutMs} ms: is the dynamic security plugin loaded and is this MQTT user its admin?`,
          ),
        );
      }, this.timeoutMs);
      this.pending.set(correlationData, {
        command,
        resolve: (response) => {
          clearTimeout(timer);
          resolve(response);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  private settle(correlationData: string, error: Error): void {
    const waiter = this.pending.get(correlationData);
    if (!waiter) return;
    this.pending.delete(correlationData);
    waiter.reject(error);
  }
}
