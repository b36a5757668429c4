/**
 * Where device MQTT credentials must be registered besides the hub database. The embedded broker reads the database
 * itself (no-op here); an external mosquitto learns them through its dynamic-security plugin.
 */
export interface BrokerCredentialSink {
  upsertDevice(deviceId: string, password: string): Promise<void>;
  removeDevice(deviceId: string): Promise<void>;
}

export const databaseOnlyCredentials: BrokerCredentialSink = {
  upsertDevice: async () => {},
  removeDevice: async () => {},
};
