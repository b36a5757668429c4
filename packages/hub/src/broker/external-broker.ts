import mqtt from 'mqtt';
import type { Logger } from 'pino';
import { randomSecret } from '../auth/secrets.js';
import type { BrokerCredentialSink } from '../fleet/device-credentials.js';
import { MosquittoDynsec } from './mosquitto-dynsec.js';
import { redact } from './hub-mqtt-link.js';

export interface ExternalBroker {
  credentials: BrokerCredentialSink;
  /**
   * How the hub's own link logs in: a service user named after this hub's instance id, (re)created with a fresh
   * password at every start, so several hubs can share one broker.
   */
  linkLogin: { url: string; username: string; password: string };
  /** The broker URL for devices, without the admin credentials. */
  deviceUrl: string;
  close(): Promise<void>;
}

/**
 * An external mosquitto whose dynamic-security plugin the hub administers: the URL's user must be a dynsec admin.
 * Devices get per-device clients and roles confined to their own topics.
 */
export async function connectExternalBroker(url: string, serviceUser: string, log: Logger): Promise<ExternalBroker> {
  const parsed = new URL(url);
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw new Error(`--mqtt must be an mqtt://, mqtts://, ws:// or wss:// URL, got "${redact(url)}"`);
  }
  if (!parsed.username) {
    throw new Error(`--mqtt needs the broker's dynamic-security admin in the URL (mqtt://admin:password@host:port), got "${redact(url)}"`);
  }
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const deviceUrl = new URL(url);
  deviceUrl.username = '';
  deviceUrl.password = '';

  const admin = await mqtt.connectAsync(deviceUrl.toString(), {
    username,
    password,
    protocolVersion: 5,
    clientId: `sightline-hub-admin-${process.pid}-${randomSecret(4)}`,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  }).catch((err: unknown) => {
    throw new Error(`cannot connect to the MQTT broker at ${redact(url)} as its admin: ${(err as Error).message}`);
  });
  admin.on('error', (err) => log.warn({ err: err.message }, 'mqtt admin link error'));
  const dynsec = new MosquittoDynsec(admin);
  const servicePassword = randomSecret();
  await dynsec.ensureHubUser(serviceUser, servicePassword);

  return {
    credentials: {
      upsertDevice: (deviceId, pw) => dynsec.upsertDevice(deviceId, pw),
      removeDevice: (deviceId) => dynsec.removeDevice(deviceId),
    },
    linkLogin: { url: deviceUrl.toString(), username: serviceUser, password: servicePassword },
    deviceUrl: deviceUrl.toString().replace(/\/$/, ''),
    close: async () => {
      dynsec.close();
      await admin.endAsync();
    },
  };
}
