import { createWriteStream, type WriteStream } from 'node:fs';
import { basename } from 'node:path';
import type { AnalyticsConfig, AnalyticsState, SightlineEvent } from '@sightline/protocol';
import {
  AnnotatedVideoWriter,
  createSourcePipeline,
  drawOverlay,
  loadAnalyticsConfig,
  type PipelineFrameOutput,
} from '@sightline/vision';
import { detectorArgs, detectorUsage, openDetector } from '../open-detector.js';
import { parseCommandArgs, parseNumberOption } from '../parse-args.js';
import { StatusLine } from '../status-line.js';
import { UsageError } from '../usage-error.js';

export const analyzeUsage = `sightline analyze <source> [options]

  <source>         video file, rtsp://…, http(s)://… or .m3u8, /dev/videoN, or lavfi:<filtergraph>
${detectorUsage}
  --config FILE    analytics config (YAML or JSON): zones and lines; default: the whole frame is one zone
  --out FILE       write events as JSON Lines to FILE (default: standard output)
  --annotate FILE  write an annotated video (boxes, track ids, zones, lines) to FILE (.mp4)
  --fps N          analysis rate (default: the source's rate)
  --camera-id ID   camera id carried by every event (default: derived from the source)
  --motion / --no-motion   motion gating (default: on for live sources, off for files)
  --live           treat the source as live (drop frames rather than wait when analysis falls behind)`;

export async function analyzeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...detectorArgs,
    config: { type: 'string' },
    out: { type: 'string' },
    annotate: { type: 'string' },
    fps: { type: 'string' },
    'camera-id': { type: 'string' },
    motion: { type: 'boolean' },
    'no-motion': { type: 'boolean' },
    live: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'analyze needs a source' : `unexpected argument "${positionals[1]}"`);
  const source = positionals[0]!;
  const fps = parseNumberOption('fps', values.fps, { min: 0.01, max: 240 });
  if (values.motion && values['no-motion']) throw new UsageError('--motion and --no-motion contradict each other');
  const motion = values.motion ? true : values['no-motion'] ? false : undefined;
  const cameraId = values['camera-id'] ?? defaultCameraId(source);
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(cameraId)) throw new UsageError(`--camera-id must be 1-64 letters, digits or . _ : -, got "${cameraId}"`);
  if (values.annotate && !values.annotate.endsWith('.mp4')) throw new UsageError('--annotate writes an .mp4 file');

  const config: AnalyticsConfig = values.config ? await loadAnalyticsConfig(values.config) : { zones: [], lines: [] };
  const detector = await openDetector(values);
  const out: WriteStream | NodeJS.WriteStream = values.out ? createWriteStream(values.out) : process.stdout;
  let writer: AnnotatedVideoWriter | undefined;
  let pipelineState: () => AnalyticsState | undefined = () => undefined;
  try {
    const { pipeline, source: frames, fps: analysisFps } = await createSourcePipeline({
      cameraId,
      source,
      detector,
      analytics: config,
      fps,
      motion,
      live: values.live,
      sourceResolutionFrames: Boolean(values.annotate),
      onFrame: async (output) => {
        if (!writer) return;
        const { frame } = output;
        drawOverlay(
          { width: frame.width, height: frame.height, data: frame.data, pixelFormat: frame.pixelFormat },
          { tracks: output.result.tracks, config, state: pipelineState() },
        );
        await writer.writeFrame(frame.data);
      },
    });
    pipelineState = () => pipeline.analyticsState();
    if (values.annotate) {
      const size = frames.options;
      writer = new AnnotatedVideoWriter({ outputPath: values.annotate, width: size.width, height: size.height, fps: analysisFps });
    }

    const counts = { events: 0, objects: 0 };
    const startedAt = Date.now();
    const status = new StatusLine(process.stderr, () => {
      const s = frames.stats;
      const elapsed = Math.max(0.001, (Date.now() - startedAt) / 1000);
      return `${cameraId}  ${s.state}  ${(pipeline.stats.framesIn / elapsed).toFixed(1)} fps  objects ${counts.objects}  events ${counts.events}  dropped ${s.dropped + pipeline.stats.framesDroppedByDetector}  frame ${s.framesDelivered}`;
    });
    const onSignal = () => void pipeline.stop();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);

    const writeEvents = (events: SightlineEvent[]) => {
      counts.events += events.length;
      for (const e of events) out.write(`${JSON.stringify(e)}\n`);
    };
    pipeline.on('events', writeEvents);
    pipeline.on('frame', (output: PipelineFrameOutput) => {
      counts.objects = output.result.tracks.length;
    });
    try {
      const stats = await pipeline.run();
      status.stop();
      const elapsed = (Date.now() - startedAt) / 1000;
      process.stderr.write(
        `analysed ${stats.framesIn} frames in ${elapsed.toFixed(1)} s (${(stats.framesIn / Math.max(elapsed, 0.001)).toFixed(1)} fps), ` +
          `detector ran on ${stats.framesDetected}, ${counts.events} events, ${frames.stats.dropped + stats.framesDroppedByDetector} frames dropped\n`,
      );
    } finally {
      status.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await frames.stop();
    }
    if (writer) {
      await writer.close();
      process.stderr.write(`annotated video: ${values.annotate}\n`);
    }
  } catch (err) {
    await writer?.abort();
    throw err;
  } finally {
    await detector.close();
    if (out !== process.stdout) await new Promise<void>((r) => (out as WriteStream).end(r));
  }
  return 0;
}

function defaultCameraId(source: string): string {
  const name = source.startsWith('lavfi:') ? 'lavfi' : basename(source.split('?')[0] ?? source).replace(/\.[a-z0-9]+$/i, '');
  return name.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 64) || 'camera';
}
