export * from './agent/edge-agent.js';
export * from './agent/credentials.js';
export * from './outbox/index.js';
export * from './recording/index.js';
export { EDGE_VERSION } from './agent/version.js';
