import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopics } from '@sightline/protocol';
import { DynsecError, HUB_ROLE, MosquittoDynsec, deviceRoleName } from '../src/broker/mosquitto-dynsec.js';

// The real mosquitto that test/global-setup.ts (or CI) started with the dynamic security plugin.
function brokerFromEnvironment() {
  const url = process.env.SIGHTLINE_TEST_MOSQUITTO_URL;
  const adminUser = process.env.SIGHTLINE_TEST_MOSQUITTO_ADMIN_USER;
  const adminPassword = process.env.SIGHTLINE_TEST_MOSQUITTO_ADMIN_PASSWORD;
  const logFile = process.env.SIGHTLINE_TEST_MOSQUITTO_LOG;
  if (!url || !adminUser || !adminPassword || !logFile) {
    throw new Error('SIGHTLINE_TEST_MOSQUITTO_* are not set: mosquitto did not start (see the warning at the top of the run)');
  }
  return { url, adminUser, adminPassword, logFile };
}

const broker = brokerFromEnvironment();
const suffix = randomBytes(4).toString('hex');
const deviceA = { id: `dyn-a-${suffix}`, password: randomBytes(12).toString('hex') };
const deviceB = { id: `dyn-b-${suffix}`, password: randomBytes(12).toString('hex') };
const hubUser = { username: `hub-${suffix}`, password: randomBytes(12).toString('hex') };
const QUIET_MS = 500;

const clients: MqttClient[] = [];

async function connect(username: string, password: string, extra: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, {
    username,
    password,
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    clientId: `${username}-${randomBytes(3).toString('hex')}`,
    ...extra,
  });
  clients.push(client);
  return client;
}

/** Why a connection attempt was refused: the CONNACK reason code. */
async function connectRefusal(username: string, password: string): Promise<number | undefined> {
  try {
    const client = await connect(username, password);
    await client.endAsync();
    return undefined;
  } catch (error) {
    return (error as { code?: number }).code;
  }
}

/** The SUBACK reason codes, whether or not mqtt.js treats the answer as a failure. */
async function subackCodes(client: MqttClient, topics: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, { qos: 1 })).map((g) => g.qos);
  } catch (error) {
    const granted = (error as { packet?: { granted?: number[] } }).packet?.granted;
    if (!granted) throw error;
    return granted;
  }
}

function messagesOn(client: MqttClient): { topic: string; payload: string }[] {
  const seen: { topic: string; payload: string }[] = [];
  client.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  return seen;
}

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('MosquittoDynsec on a real mosquitto 2.0', () => {
  let admin: MqttClient;
  let dynsec: MosquittoDynsec;
  let hub: MqttClient;
  let hubInbox: { topic: string; payload: string }[];

  beforeAll(async () => {
    admin = await connect(broker.adminUser, broker.adminPassword);
    dynsec = new MosquittoDynsec(admin);
    await dynsec.ensureHubUser(hubUser.username, hubUser.password);
    await dynsec.upsertDevice(deviceA.id, deviceA.password);
    await dynsec.upsertDevice(deviceB.id, deviceB.password);
    hub = await connect(hubUser.username, hubUser.password);
    hubInbox = messagesOn(hub);
    const granted = await hub.subscribeAsync('sightline/#', { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
  });

  afterAll(async () => {
    dynsec?.close();
    await Promise.all(clients.map((client) => client.endAsync(true).catch(() => {})));
  });

  it('gives the hub role to the hub user and denies what no role allows', async () => {
    expect(await dynsec.clientRoles(hubUser.username)).toEqual([HUB_ROLE]);
    expect(await dynsec.clientRoles(deviceA.id)).toEqual([deviceRoleName(deviceA.id)]);
    // The hub role is confined to sightline/#: anything else falls to the default, deny.
    expect(await subackCodes(hub, ['other/#'])).toEqual([0x87]);
  });

  it('delivers what a device publishes under its own prefix to the hub', async () => {
    const a = await connect(deviceA.id, deviceA.password);
    const topic = deviceTopics(deviceA.id).events;
    await a.publishAsync(topic, 'own-topic', { qos: 1 });
    await waitFor(() => hubInbox.some((m) => m.topic === topic && m.payload === 'own-topic'));
    await a.endAsync();
  });

  it('refuses a publish to another device prefix with PUBACK 135 and never delivers it', async () => {
    const a = await connect(deviceA.id, deviceA.password, { clientId: `${deviceA.id}-intruder` });
    const topic = deviceTopics(deviceB.id).events;
    const refusal = await a.publishAsync(topic, 'forged', { qos: 1 }).then(
      () => undefined,
      (error: { code?: number }) => error.code,
    );
    expect(refusal).toBe(135);
    await sleep(QUIET_MS);
    expect(hubInbox.filter((m) => m.payload === 'forged')).toEqual([]);
    // A QoS 0 publish has no acknowledgement to refuse: it is dropped silently.
    await a.publishAsync(topic, 'forged-qos0', { qos: 0 });
    await sleep(QUIET_MS);
    expect(hubInbox.filter((m) => m.payload === 'forged-qos0')).toEqual([]);
    // The broker says so in its log.
    const log = await readFile(broker.logFile, 'utf8');
    expect(log).toMatch(new RegExp(`Denied PUBLISH from ${deviceA.id}-intruder .*'${topic}'`));
    await a.endAsync();
  });

  it('refuses subscriptions outside the device prefix with SUBACK 0x87, wildcards included', async () => {
    const a = await connect(deviceA.id, deviceA.password);
    const inbox = messagesOn(a);
    const codes = await subackCodes(a, [
      deviceTopics(deviceA.id).config,
      deviceTopics(deviceB.id).config,
      'sightline/v1/devices/+/config',
      '#',
    ]);
    expect(codes).toEqual([1, 0x87, 0x87, 0x87]);
    // The hub reaches the device on its own prefix; another device's config never arrives.
    await hub.publishAsync(deviceTopics(deviceB.id).config, 'config-for-b', { qos: 1 });
    await hub.publishAsync(deviceTopics(deviceA.id).config, 'config-for-a', { qos: 1 });
    await waitFor(() => inbox.some((m) => m.payload === 'config-for-a'));
    await sleep(QUIET_MS);
    expect(inbox.map((m) => m.payload)).toEqual(['config-for-a']);
    await a.endAsync();
  });

  // mosquitto 2.0.11 with dynsec answers both with CONNACK 135 (not authorized), not 134 (bad user name or password).
  it('refuses a wrong password and an unknown user', async () => {
    expect(await connectRefusal(deviceA.id, 'not-the-password')).toBe(135);
    expect(await connectRefusal(`nobody-${suffix}`, 'whatever')).toBe(135);
  });

  it('rotates a device password: the old one stops working, the new one works', async () => {
    const rotated = { id: `dyn-r-${suffix}`, first: randomBytes(8).toString('hex'), second: randomBytes(8).toString('hex') };
    await dynsec.upsertDevice(rotated.id, rotated.first);
    const before = await connect(rotated.id, rotated.first);
    const closed = new Promise<void>((resolve) => before.once('close', () => resolve()));
    await dynsec.upsertDevice(rotated.id, rotated.second);
    // mosquitto disconnects a client whose credentials were modified.
    await closed;
    expect(await connectRefusal(rotated.id, rotated.first)).toBe(135);
    expect(await connectRefusal(rotated.id, rotated.second)).toBeUndefined();
    await dynsec.removeDevice(rotated.id);
  });

  it('removes a device: it is disconnected, cannot log in again, and removing twice is fine', async () => {
    const gone = { id: `dyn-gone-${suffix}`, password: randomBytes(8).toString('hex') };
    await dynsec.upsertDevice(gone.id, gone.password);
    const connected = await connect(gone.id, gone.password);
    const closed = new Promise<void>((resolve) => connected.once('close', () => resolve()));
    await dynsec.removeDevice(gone.id);
    await closed;
    expect(await connectRefusal(gone.id, gone.password)).toBe(135);
    await expect(dynsec.removeDevice(gone.id)).resolves.toBeUndefined();
    await expect(dynsec.clientRoles(gone.id)).rejects.toThrow(/Client not found/);
  });

  it('resets the hub user: new password, existing sessions dropped, its role kept once', async () => {
    const other = { username: `hub2-${suffix}`, first: randomBytes(8).toString('hex'), second: randomBytes(8).toString('hex') };
    await dynsec.ensureHubUser(other.username, other.first);
    const session = await connect(other.username, other.first);
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    await dynsec.ensureHubUser(other.username, other.second);
    await closed;
    expect(await dynsec.clientRoles(other.username)).toEqual([HUB_ROLE]);
    expect(await connectRefusal(other.username, other.first)).toBe(135);
    const again = await connect(other.username, other.second);
    expect(await subackCodes(again, [deviceTopics(deviceB.id).status])).toEqual([1]);
    await again.endAsync();
  });

  it('will not turn its own admin login into the hub user (mosquitto would cut this connection)', async () => {
    await expect(dynsec.ensureHubUser(broker.adminUser, 'x')).rejects.toThrow(/must not be the dynsec admin/);
  });

  it('will not turn an existing non-device client into a device', async () => {
    await expect(dynsec.upsertDevice(hubUser.username, 'hijack')).rejects.toThrow(/exists with other roles \(sightline-hub\)/);
    await expect(dynsec.upsertDevice(broker.adminUser, 'hijack')).rejects.toThrow(/exists with other roles \(admin\)/);
    expect(await dynsec.clientRoles(hubUser.username)).toEqual([HUB_ROLE]);
    expect(await connectRefusal(hubUser.username, hubUser.password)).toBeUndefined();
  });

  it('rejects bad device ids before talking to the broker', async () => {
    await expect(dynsec.upsertDevice('a/#', 'x')).rejects.toThrow(/invalid device id/);
    await expect(dynsec.upsertDevice('+', 'x')).rejects.toThrow(/invalid device id/);
    await expect(dynsec.upsertDevice(deviceA.id, '')).rejects.toThrow(/password/);
  });

  it('fails clearly when the connection is not a dynsec admin', async () => {
    const device = await connect(deviceB.id, deviceB.password);
    const notAdmin = new MosquittoDynsec(device, { timeoutMs: 1000 });
    const attempt = notAdmin.upsertDevice(`dyn-x-${suffix}`, 'pw');
    await expect(attempt).rejects.toBeInstanceOf(DynsecError);
    await expect(attempt).rejects.toThrow(/is this MQTT user a dynsec admin\?/);
    notAdmin.close();
    await device.endAsync();
  });
});
