export * from './camera-pipeline.js';
export * from './motion-detection-gate.js';
export * from './source-pipeline.js';
