export * from './ice.js';
export * from './relay/index.js';
export * from './signalling/index.js';
export * from './publish/index.js';
export * from './hls/index.js';
export * from './feed/index.js';
