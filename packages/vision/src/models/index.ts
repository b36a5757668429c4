export * from './catalog.js';
export * from './fetch-model.js';
export * from './model-cache.js';
export * from './model-error.js';
export * from './progress-bar.js';
export * from './resolve-model.js';
export * from './sha256-file.js';
