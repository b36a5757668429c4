import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Detection } from '@sightline/protocol';
import { decodeImageToFrame, FrameSource, type Detector } from '@sightline/vision';
import { detectorArgs, detectorUsage, openDetector } from '../open-detector.js';
import { parseCommandArgs, parseNumberOption } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

export const detectUsage = `sightline detect <image|video|dir> [options]

  Prints raw detections (no tracking) per image or video frame: file, frame, class, class id, score and box
  [x1, y1, x2, y2] in source pixels.
${detectorUsage}
  --json           JSON Lines, one object per image or frame (default: readable text)
  --fps N          for videos, the rate of frames to check (default: every frame)`;

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff']);
const VIDEO_EXTENSIONS = new Set(['.mp4', '.mkv', '.avi', '.mov', '.webm', '.ts', '.m4v', '.mpg', '.mpeg', '.flv']);

interface DetectLine {
  file: string;
  frame: number;
  pts?: number;
  width: number;
  height: number;
  detections: { class: string; classId: number; score: number; box: number[] }[];
}

export async function detectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...detectorArgs, json: { type: 'boolean' }, fps: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'detect needs an image, video or directory' : `unexpected argument "${positionals[1]}"`);
  const fps = parseNumberOption('fps', values.fps, { min: 0.01, max: 240 });
  const inputs = listInputs(positionals[0]!);
  const detector = await openDetector(values);
  const print = (line: DetectLine) => process.stdout.write(values.json ? `${JSON.stringify(line)}\n` : formatText(line));
  try {
    for (const input of inputs) {
      if (IMAGE_EXTENSIONS.has(extname(input).toLowerCase())) {
        const frame = await decodeImageToFrame(input, detector.inputSpec);
        print(toLine(input, 0, undefined, frame.sourceWidth, frame.sourceHeight, await detector.detect(frame)));
      } else {
        await detectVideo(input, detector, fps, print);
      }
    }
  } finally {
    await detector.close();
  }
  return 0;
}

async function detectVideo(input: string, detector: Detector, fps: number | undefined, print: (l: DetectLine) => void): Promise<void> {
  const spec = detector.inputSpec;
  const source = new FrameSource(input, {
    width: spec.width,
    height: spec.height,
    resize: spec.resize,
    letterboxAlign: spec.align,
    padValue: spec.padValue,
    pixelFormat: spec.pixelFormat,
    scaler: spec.scaler,
    fps,
    overflow: 'pause',
  });
  try {
    // Keep a few frames at the detector so every worker stays busy; print in frame order.
    const pending: Promise<DetectLine>[] = [];
    for await (const frame of source) {
      pending.push(detector.detect(frame, input).then((d) => toLine(input, frame.index, frame.pts, frame.sourceWidth, frame.sourceHeight, d)));
      if (pending.length >= 2) print(await pending.shift()!);
    }
    for (const p of pending) print(await p);
  } finally {
    await source.stop();
  }
}

function listInputs(target: string): string[] {
  let st;
  try {
    st = statSync(target);
  } catch {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return [target];
    throw new UsageError(`${target}: no such file or directory`);
  }
  if (!st.isDirectory()) return [target];
  const files = readdirSync(target)
    .filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()) || VIDEO_EXTENSIONS.has(extname(f).toLowerCase()))
    .sort()
    .map((f) => join(target, f));
  if (files.length === 0) throw new UsageError(`${target} holds no images or videos`);
  return files;
}

function toLine(file: string, frame: number, pts: number | undefined, width: number, height: number, detections: Detection[]): DetectLine {
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    file,
    frame,
    ...(pts === undefined ? {} : { pts: Math.round(pts * 1000) / 1000 }),
    width,
    height,
    detections: detections.map((d) => ({ class: d.label, classId: d.classId, score: Math.round(d.score * 1000) / 1000, box: d.box.map(round) })),
  };
}

function formatText(line: DetectLine): string {
  const head = `${line.file}${line.pts === undefined ? '' : ` frame ${line.frame} (${line.pts.toFixed(2)} s)`}: ${line.detections.length} detection${line.detections.length === 1 ? '' : 's'}\n`;
  return head + line.detections.map((d) => `  ${d.class.padEnd(14)} ${d.score.toFixed(3)}  [${d.box.join(', ')}]\n`).join('');
}
