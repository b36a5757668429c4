export * from './tiny-detector.js';
export * from './onnx-model.js';
export * from './protobuf-writer.js';
