/**
 * npm run bench:vision — decode, raw inference, end-to-end pipeline and multi-stream throughput measured in one
 * run on the same model and workers, plus cameras per core with and without motion gating, and (when
 * python3-opencv is installed) a plain OpenCV-DNN loop on the same model and video.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { inputTensorLength } from '../src/detect/preprocess.js';
import { createDetector, type Detector } from '../src/detect/detector.js';
import { modelPackageFromFile } from '../src/detect/model-package.js';
import { resolveModel } from '../src/models/resolve-model.js';
import { createSourcePipeline } from '../src/pipeline/source-pipeline.js';
import { FrameSource } from '../src/source/frame-source.js';
import { REPO_ROOT, requireSharedData } from '../src/util/shared-data.js';
import { benchVideo720p, quietBenchVideo } from './bench-videos.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    streams: { type: 'string', default: '4' },
    'skip-opencv': { type: 'boolean', default: false },
  },
});
const workers = Number(values.workers);
const streams = Number(values.streams);
const cores = availableParallelism();

const sharedVideo = requireSharedData('videos/pedestrians_crowd.mp4');
const modelFile = requireSharedData('models/yolox_nano.onnx');
const resolved = await resolveModel(modelFile);
const detector = await createDetector({ model: modelPackageFromFile(resolved.onnxPath, resolved.manifest), workers, threadsPerWorker: 1, onWarning: () => undefined });
const spec = detector.inputSpec;

function log(line: string) {
  process.stdout.write(`${line}\n`);
}

async function measureDecode(video: string): Promise<number> {
  const source = new FrameSource(video, { width: spec.width, height: spec.height, resize: spec.resize, letterboxAlign: spec.align, padValue: spec.padValue, pixelFormat: spec.pixelFormat, scaler: spec.scaler, overflow: 'pause' });
  const start = performance.now();
  let n = 0;
  for await (const _frame of source) n++;
  return n / ((performance.now() - start) / 1000);
}

async function measureRaw(d: Detector, count: number, inFlight = workers * 2): Promise<number> {
  const tensor = new Float32Array(inputTensorLength(d.manifest.input)).fill(0.5);
  for (let i = 0; i < inFlight; i++) await d.infer(tensor); // warm-up
  const start = performance.now();
  let issued = 0;
  const lanes = Array.from({ length: inFlight }, async () => {
    while (issued < count) {
      issued++;
      await d.infer(tensor, 'raw');
    }
  });
  await Promise.all(lanes);
  return count / ((performance.now() - start) / 1000);
}

/** Busy and total CPU ticks of the whole machine, from /proc/stat: shows whether a run used every core. */
function machineTicks(): { busy: number; steal: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  // Steal: time the hypervisor gave our virtual cores to someone else; it makes runs noisy, so it is shown.
  const steal = fields[7] ?? 0;
  return { busy: total - idle - steal, steal, total };
}

interface RunResult {
  frames: number;
  detected: number;
  seconds: number;
  fps: number;
  mediaSeconds: number;
  events: number;
  enters: number;
  /** Share of all cores busy during the run (0-1), and the share this process (main + workers) used. */
  machineBusy: number;
  /** Share of core time stolen by the hypervisor. */
  steal: number;
  processShare: number;
}

async function runPipelines(video: string, n: number, opts: { fps?: number; motion: boolean; detector?: Detector }): Promise<RunResult> {
  const d = opts.detector ?? detector;
  const built = await Promise.all(
    Array.from({ length: n }, (_, i) => createSourcePipeline({ cameraId: `cam-${i}`, source: video, detector: d, fps: opts.fps, motion: opts.motion, live: false })),
  );
  let events = 0;
  let enters = 0;
  let lastPts = 0;
  for (const b of built) {
    b.pipeline.on('events', (evs) => {
      events += evs.length;
      enters += evs.filter((e) => e.type === 'zone.enter').length;
    });
    b.pipeline.on('frame', (o) => (lastPts = Math.max(lastPts, o.frame.pts)));
  }
  const ticks0 = machineTicks();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const stats = await Promise.all(built.map((b) => b.pipeline.run()));
  const seconds = (performance.now() - start) / 1000;
  const ticks1 = machineTicks();
  const cpu = process.cpuUsage(cpu0);
  const machineBusy = (ticks1.busy - ticks0.busy) / Math.max(1, ticks1.total - ticks0.total);
  const steal = (ticks1.steal - ticks0.steal) / Math.max(1, ticks1.total - ticks0.total);
  const processShare = (cpu.user + cpu.system) / 1e6 / seconds / cores;
  const frames = stats.reduce((s, x) => s + x.framesIn, 0);
  const detected = stats.reduce((s, x) => s + x.framesDetected, 0);
  const interval = 1 / built[0]!.fps;
  return { frames, detected, seconds, fps: frames / seconds, mediaSeconds: n * (lastPts + interval), events, enters, machineBusy, steal, processShare };
}

function opencvBaseline(video: string): { fps: number; opencv: string } | string {
  if (values['skip-opencv']) return 'skipped (--skip-opencv)';
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import cv2'], { stdio: 'ignore' });
  } catch {
    return 'not run: python3-opencv is not installed (apt-get install python3-opencv)';
  }
  const script = fileURLToPath(new URL('./opencv_dnn_baseline.py', import.meta.url));
  const out = execFileSync('/usr/bin/python3', [script, modelFile, video], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
log(`bench:vision — ${cpu}, ${cores} cores, Node ${process.version}, model ${resolved.manifest.name} (${spec.width}x${spec.height}), ${workers} workers x 1 thread`);
log(`video: ${sharedVideo} (800x450, 23.976 fps, 460 frames)\n`);

const decodeFps = await measureDecode(sharedVideo);
log(`decode (ffmpeg, H.264 800x450 -> ${spec.width}x${spec.height} letterbox):      ${decodeFps.toFixed(1)} fps`);
// Raw and pipeline alternate over three rounds and the median round is reported: a shared virtual machine
// drifts by tens of percent over minutes, and alternating keeps both figures under the same conditions.
const rounds: { raw: number; single: RunResult }[] = [];
for (let i = 0; i < 3; i++) rounds.push({ raw: await measureRaw(detector, 300), single: await runPipelines(sharedVideo, 1, { motion: false }) });
rounds.sort((a, b) => a.single.fps / a.raw - b.single.fps / b.raw);
const { raw: rawFps, single } = rounds[1]!;
log(`raw model throughput (inference only, same workers):   ${rawFps.toFixed(1)} fps`);
log(`  ratios of the three rounds: ${rounds.map((r) => (r.single.fps / r.raw).toFixed(3)).join(', ')} (median shown below)`);
const cpuNote = (r: RunResult) =>
  `cores busy ${(r.machineBusy * 100).toFixed(0)}% (Sightline process ${(r.processShare * 100).toFixed(0)}%, ffmpeg and the rest ${((r.machineBusy - r.processShare) * 100).toFixed(0)}%), stolen by the hypervisor ${(r.steal * 100).toFixed(0)}%`;
log(`pipeline, 1 stream (decode+detect+track+zones):        ${single.fps.toFixed(1)} fps   ratio to raw ${(single.fps / rawFps).toFixed(3)}  (target >= 0.90)  ${cpuNote(single)}`);
const multi = await runPipelines(sharedVideo, streams, { motion: false });
log(`pipeline, ${streams} concurrent streams, total:               ${multi.fps.toFixed(1)} fps   ratio to raw ${(multi.fps / rawFps).toFixed(3)}  (target >= 0.85)  ${cpuNote(multi)}`);

// With one worker a core is left for decoding, so this ratio shows what the pipeline itself costs when the
// machine is not already saturated by inference.
const oneWorker = await createDetector({ model: modelPackageFromFile(resolved.onnxPath, resolved.manifest), workers: 1, threadsPerWorker: 1, onWarning: () => undefined });
const rawOne = await measureRaw(oneWorker, 200, 2);
const singleOne = await runPipelines(sharedVideo, 1, { motion: false, detector: oneWorker });
await oneWorker.close();
log(`1 worker: raw ${rawOne.toFixed(1)} fps, pipeline 1 stream ${singleOne.fps.toFixed(1)} fps, ratio ${(singleOne.fps / rawOne).toFixed(3)} (a core left for decoding)`);

const baseline = opencvBaseline(sharedVideo);
if (typeof baseline === 'string') log(`OpenCV-DNN Python loop: ${baseline}`);
else log(`OpenCV-DNN Python loop (cv2 ${baseline.opencv}, same model and video): ${baseline.fps.toFixed(1)} fps   Sightline 1 stream / OpenCV ${(single.fps / baseline.fps).toFixed(2)}x, ${streams} streams / OpenCV ${(multi.fps / baseline.fps).toFixed(2)}x`);

log(`\ncameras per core: ${streams} concurrent 720p streams analysed at 5 fps, read as fast as possible;`);
log(`cameras held in real time = media seconds analysed / wall seconds; per core = that / ${cores}.`);
log(`"25 fps" is a camera's main stream (every frame decoded, 1 in 5 analysed); "5 fps" is a detect sub-stream.`);
const scenes = [
  { scene: 'busy (pedestrians_crowd, 19 s)', video: (fps: number) => benchVideo720p('pedestrians_crowd.mp4', fps) },
  { scene: 'quiet (parking, 1 car in 46 s)', video: (fps: number) => quietBenchVideo(fps) },
];
const table: Record<string, RunResult & { cameras: number }> = {};
for (const { scene, video } of scenes) {
  for (const sourceFps of [25, 5]) {
    for (const motion of [false, true]) {
      const r = await runPipelines(video(sourceFps), streams, { fps: 5, motion });
      const cameras = r.mediaSeconds / r.seconds;
      table[`${scene} ${sourceFps}fps ${motion ? 'gated' : 'ungated'}`] = { ...r, cameras };
      log(
        `  ${scene.padEnd(31)} ${String(sourceFps).padStart(2)} fps source, motion ${motion ? 'on ' : 'off'}: ${cameras.toFixed(1).padStart(5)} cameras ` +
          `(${(cameras / cores).toFixed(1)} per core), detector ran on ${r.detected}/${r.frames} frames, ${r.enters} enter events`,
      );
    }
    const off = table[`${scene} ${sourceFps}fps ungated`]!;
    const on = table[`${scene} ${sourceFps}fps gated`]!;
    log(`    -> motion gating: ${(on.cameras / off.cameras).toFixed(2)}x cameras, enter events ${on.enters} gated vs ${off.enters} ungated`);
  }
}

mkdirSync(`${REPO_ROOT}/bench-results`, { recursive: true });
writeFileSync(
  `${REPO_ROOT}/bench-results/vision.json`,
  JSON.stringify({ date: new Date().toISOString(), cpu, cores, workers, decodeFps, rawFps, single, multi, oneWorker: { rawOne, singleOne }, baseline, camerasPerCore: table }, null, 2),
);
await detector.close();
