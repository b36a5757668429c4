import { describe, expect, it } from 'vitest';
import { evaluateMotChallenge } from '../../src/track/mot-metrics.js';
import { loadMotSequence, mot15ConfidenceToScore, trackMotDetections } from '../../src/track/mot-sequence.js';
import { requireSharedData } from '../../src/util/shared-data.js';

describe('ByteTrack on TUD-Campus public detections', () => {
  it('stays at or above the measured accuracy with default options', () => {
    const sequence = loadMotSequence(requireSharedData('mot/TUD-Campus'));
    expect(sequence).toMatchObject({ frameRate: 25, length: 71 });
    const run = trackMotDetections(sequence.detections, {
      length: sequence.length,
      normalizeScore: mot15ConfidenceToScore,
      tracker: { frameRate: sequence.frameRate },
    });
    const s = evaluateMotChallenge(sequence.groundTruth, run.hypotheses);
    // Measured: MOTA 0.618, IDF1 0.531, MOTP (1 − IoU) 0.249, 8 ID switches.
    expect(s.mota).toBeGreaterThan(0.6);
    expect(s.idf1).toBeGreaterThan(0.51);
    expect(s.motp).toBeLessThan(0.27);
    expect(s.idSwitches).toBeLessThanOrEqual(10);
  });
});
