/**
 * Run by recording-recorder.test.ts with `node --import tsx`: records a lavfi tap until it is killed, and prints the
 * pid of each recorder ffmpeg it starts, so the test can check that none outlives this process, however it dies.
 */
import { writeSync } from 'node:fs';
import { SegmentRecorder } from '../src/recording/index.js';
import { LavfiTap } from './recording-support.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: recording-crash-child.ts <dir>');
const tap = new LavfiTap({ fps: 15, gop: 15 });
await tap.ready();
const silent = { info: () => undefined, warn: () => undefined, debug: () => undefined };
const recorder = new SegmentRecorder({ tap, dir, log: silent, segmentSeconds: 2 });
recorder.start();
writeSync(1, `recorder ${recorder.stats.pid}\n`);
setInterval(() => undefined, 1000);
