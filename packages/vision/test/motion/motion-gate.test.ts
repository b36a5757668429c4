import { describe, expect, it } from 'vitest';
import { MotionGate, type GateReason } from '../../src/motion/index.js';

const still = { motion: false, lighting: false };
const moving = { motion: true, lighting: false };
const lighting = { motion: false, lighting: true };

/** Feeds (pts, verdict) pairs and returns the reasons. */
function reasons(gate: MotionGate, steps: Array<[number, { motion: boolean; lighting: boolean }]>): GateReason[] {
  return steps.map(([pts, verdict]) => gate.decide(verdict, pts).reason);
}

describe('MotionGate', () => {
  it('runs the first frame, then on motion, and keeps running through the hangover', () => {
    const gate = new MotionGate({ hangoverSeconds: 1, heartbeatSeconds: 5 });
    expect(reasons(gate, [
      [0, still],
      [0.5, still],
      [1, moving],
      [1.5, still],
      [2, still],
      [2.5, still],
      [3, still],
    ])).toEqual(['first', 'idle', 'motion', 'hangover', 'hangover', 'idle', 'idle']);
  });

  it('runs a heartbeat detection every heartbeatSeconds while nothing moves', () => {
    const gate = new MotionGate({ heartbeatSeconds: 5 });
    const decisions = Array.from({ length: 151 }, (_, i) => gate.decide(still, i / 10)); // 15 s at 10 fps
    const runs = decisions.flatMap((d, i) => (d.run ? [[i / 10, d.reason]] : []));
    expect(runs).toEqual([
      [0, 'first'],
      [5, 'heartbeat'],
      [10, 'heartbeat'],
      [15, 'heartbeat'],
    ]);
  });

  it('counts the heartbeat from the last run of any kind', () => {
    const gate = new MotionGate({ hangoverSeconds: 0.5, heartbeatSeconds: 2 });
    expect(reasons(gate, [
      [0, still],
      [1, moving],
      [1.5, still],
      [3, still],
      [3.6, still],
    ])).toEqual(['first', 'motion', 'hangover', 'idle', 'heartbeat']);
  });

  it('runs on lighting changes unless told not to', () => {
    expect(reasons(new MotionGate(), [[0, still], [1, lighting]])).toEqual(['first', 'lighting']);
    expect(reasons(new MotionGate({ runOnLighting: false }), [[0, still], [1, lighting]])).toEqual(['first', 'idle']);
  });

  it('starts over when time goes backwards (a restarted source) or after reset', () => {
    const gate = new MotionGate();
    expect(reasons(gate, [[10, still], [11, still], [0, still], [1, still]])).toEqual(['first', 'idle', 'first', 'idle']);
    gate.reset();
    expect(gate.decide(still, 1.5)).toEqual({ run: true, reason: 'first' });
  });

  it('validates its options', () => {
    expect(() => new MotionGate({ heartbeatSeconds: 0 })).toThrow(/heartbeatSeconds/);
    expect(() => new MotionGate({ hangoverSeconds: -1 })).toThrow(/hangoverSeconds/);
    expect(() => new MotionGate().decide(still, Number.NaN)).toThrow(/pts/);
  });
});
