export * from './agent/edge-agent.js';
export { credentialsPath, loadCredentials, saveCredentials, DeviceCredentialsSchema, type DeviceCredentials } from '@sightline/device';
export * from './outbox/index.js';
export * from './recording/index.js';
export { EDGE_VERSION } from './agent/version.js';
