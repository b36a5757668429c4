/**
 * Tracking benchmark: ByteTrack with default options on MOT15 TUD-Campus public detections, scored against
 * its ground truth with CLEAR-MOT and IDF1 (py-motmetrics definitions, IoU ≥ 0.5).
 *
 *   npm run bench:tracking [-- --runs 50]
 *
 * Detection confidences in det.txt are raw detector outputs (0-130); they are mapped to 0-1 with
 * mot15ConfidenceToScore (see its doc comment). The tracker's frame rate is the sequence's (25 fps).
 */
import { evaluateMotChallenge, loadMotSequence, mot15ConfidenceToScore, trackMotDetections } from '../src/track/index.js';
import { requireSharedData } from '../src/util/shared-data.js';

function runsArgument(): number {
  const i = process.argv.indexOf('--runs');
  if (i < 0) return 30;
  const runs = Number(process.argv[i + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a positive integer, got "${process.argv[i + 1] ?? ''}"`);
  return runs;
}

const sequence = loadMotSequence(requireSharedData('mot/TUD-Campus'));
const options = { length: sequence.length, normalizeScore: mot15ConfidenceToScore, tracker: { frameRate: sequence.frameRate } };

const run = trackMotDetections(sequence.detections, options);
const summary = evaluateMotChallenge(sequence.groundTruth, run.hypotheses);

// 71 frames take about a millisecond, so time many passes and report the median.
const runs = runsArgument();
const times: number[] = [];
for (let i = 0; i < runs; i++) times.push(trackMotDetections(sequence.detections, options).trackerMs);
times.sort((a, b) => a - b);
const medianMs = times[Math.floor(times.length / 2)]!;

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
console.log(`ByteTrack on ${sequence.name}: ${sequence.length} frames, ${sequence.detections.length} public detections, ${summary.objects} ground-truth boxes`);
console.log(`  MOTA        ${pct(summary.mota)}`);
console.log(`  IDF1        ${pct(summary.idf1)}   (IDP ${pct(summary.idp)}, IDR ${pct(summary.idr)})`);
console.log(`  MOTP        ${pct(1 - summary.motp)} mean IoU of matches   (py-motmetrics distance ${summary.motp.toFixed(3)})`);
console.log(`  ID switches ${summary.idSwitches}   fragmentations ${summary.fragmentations}`);
console.log(`  FP          ${summary.falsePositives}`);
console.log(`  FN          ${summary.falseNegatives}`);
console.log(`  recall      ${pct(summary.recall)}   precision ${pct(summary.precision)}`);
console.log(`  MT/PT/ML    ${summary.mostlyTracked}/${summary.partiallyTracked}/${summary.mostlyLost} of ${summary.uniqueObjects}`);
console.log(`  tracker     ${((sequence.length / medianMs) * 1000).toFixed(0)} fps (median of ${runs} runs, ${medianMs.toFixed(2)} ms per sequence, tracker only)`);
