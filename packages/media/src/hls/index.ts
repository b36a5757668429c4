export * from './hls-segmenter.js';
