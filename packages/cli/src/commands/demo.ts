import { existsSync } from 'node:fs';
import { sharedDataPath } from '@sightline/vision';
import { analyzeCommand } from './analyze.js';

export const demoUsage = `sightline demo

  Analyses a sample video with the default model and prints zone events as JSON Lines. It uses the shared
  sample data (../shared/data beside the repository, or $SIGHTLINE_SHARED_DATA) when present.`;

/** The main job on embedded defaults: a sample video, the default model, every object entering and leaving. */
export async function demoCommand(argv: string[]): Promise<number> {
  const video = sharedDataPath('videos/worker_factory_floor.mp4');
  const model = sharedDataPath('models/yolox_nano.onnx');
  const missing = [video, model].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    process.stderr.write(
      `sightline demo: sample data not found (${missing.join(', ')}).\n` +
        `Run it on your own video and model instead:\n` +
        `  sightline models fetch yolox-nano\n` +
        `  sightline analyze <video file or rtsp://camera> --model yolox-nano --annotate annotated.mp4\n`,
    );
    return 1;
  }
  process.stderr.write(`sightline demo: analysing ${video} with ${model}\n`);
  return analyzeCommand([video, '--model', model, '--camera-id', 'demo-factory', ...argv]);
}
