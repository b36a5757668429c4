export * from './camera-pipeline.js';
