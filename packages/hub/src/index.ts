export * from './hub.js';
export * from './store/index.js';
export { HUB_VERSION } from './version.js';
