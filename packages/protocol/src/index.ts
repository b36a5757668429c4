export * from './geometry.js';
export * from './detection.js';
export * from './ids.js';
export * from './model-manifest.js';
export * from './analytics-config.js';
export * from './event.js';
export * from './validation.js';
