// `sightline host`: a cloud-streaming host that runs the sessions a hub places on it.
export { startHost, HostStartError, HOST_VERSION, type HostAgent, type HostOptions } from './host-agent.js';
export { HostedSession, saveDataDirOf, testCatalogue, HOST_APPS_DIR, HOST_APPS_PLACEHOLDER, type HostedSessionOptions, type StartCommand } from './hosted-session.js';
export { GamepadKeys } from './gamepad-keys.js';
export { HostLink } from './host-link.js';
