/**
 * What must happen at the broker when device credentials change, besides the hub database: the embedded broker
 * checks the database at login and only needs open sessions closed; an external mosquitto learns the credentials
 * through its dynamic-security plugin (which also closes the sessions of a changed client).
 */
export interface BrokerCredentialSink {
  upsertDevice(deviceId: string, password: string): Promise<void>;
  removeDevice(deviceId: string): Promise<void>;
}
