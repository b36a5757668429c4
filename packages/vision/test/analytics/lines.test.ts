import { describe, expect, it } from 'vitest';
import type { LineCrossEvent, SightlineEvent } from '@sightline/protocol';
import { analytics, expectValidEvents, path, run, walk, type ObjectSpec } from './scenario.js';

/** Drawn left to right across the middle, so "in" is moving down the picture. */
const door = { id: 'door', a: [0.2, 0.5] as [number, number], b: [0.8, 0.5] as [number, number] };

function crossings(events: SightlineEvent[]): Array<[number, string, string]> {
  return events.filter((e): e is LineCrossEvent => e.type === 'line.cross').map((e) => [e.trackId, e.direction, e.label]);
}

describe('line crossing', () => {
  it('counts both directions, in total and per class, and keeps the counts live', () => {
    const a = analytics({ lines: [door] });
    const down = path([0.5, 0.3], [0.5, 0.7], 9);
    const up = path([0.4, 0.7], [0.4, 0.3], 9);
    const frames = down.map((p, i): ObjectSpec[] => [
      { id: 1, at: p },
      { id: 2, at: up[i] as [number, number], label: 'car', classId: 2 },
      { id: 3, at: [0.6, 0.7 - (0.4 * i) / 8] },
    ]);
    const events = run(a, frames);
    expect(crossings(events)).toEqual([
      [1, 'in', 'person'],
      [2, 'out', 'car'],
      [3, 'out', 'person'],
    ]);
    expect(events.every((e) => e.type === 'line.cross' && e.lineId === 'door')).toBe(true);
    expect(a.state().lineCounts).toEqual({
      door: { in: 1, out: 2, byClass: { person: { in: 1, out: 1 }, car: { in: 0, out: 1 } } },
    });
    expectValidEvents(events);
  });

  it('invert swaps in and out', () => {
    const a = analytics({ lines: [{ ...door, invert: true }] });
    expect(crossings(run(a, walk(path([0.5, 0.3], [0.5, 0.7], 9), { id: 1 })))).toEqual([[1, 'out', 'person']]);
  });

  it('follows the documented normal for a line drawn top to bottom: moving left is "in"', () => {
    const a = analytics({ lines: [{ id: 'v', a: [0.5, 0.2], b: [0.5, 0.8] }] });
    expect(crossings(run(a, walk(path([0.7, 0.5], [0.3, 0.5], 9), { id: 1 })))).toEqual([[1, 'in', 'person']]);
  });

  it('counts one crossing for an object wobbling on the line, and none if it goes back', () => {
    const wobble = (id: number) => Array.from({ length: 40 }, (_, i) => [{ id, at: [0.5, 0.5 + (i % 2 === 0 ? 0.006 : -0.006)] as const }]);
    const a = analytics({ lines: [door] });
    const approach = walk(path([0.5, 0.4], [0.5, 0.49], 5), { id: 1 });
    const leaveForward = walk(path([0.5, 0.52], [0.5, 0.6], 5), { id: 1 });
    const events = run(a, [...approach, ...wobble(1), ...leaveForward]);
    expect(crossings(events)).toEqual([[1, 'in', 'person']]);
    expect(events[0]?.frameIndex).toBe(45); // counted once the object is clear of the dead band

    const b = analytics({ lines: [door] });
    const leaveBack = walk(path([0.5, 0.48], [0.5, 0.4], 5), { id: 1 });
    expect(crossings(run(b, [...approach, ...wobble(1), ...leaveBack]))).toEqual([]);
    expect(b.state().lineCounts.door).toEqual({ in: 0, out: 0, byClass: {} });
  });

  it('without hysteresis the same wobble would count every step, which is why the dead band exists', () => {
    const a = analytics({ lines: [door] }, { lineHysteresis: 0 });
    const wobble = Array.from({ length: 10 }, (_, i) => [{ id: 1, at: [0.5, 0.5 + (i % 2 === 0 ? 0.006 : -0.006)] as const }]);
    expect(crossings(run(a, wobble))).toHaveLength(9);
  });

  it('counts a slow crossing that creeps through the dead band', () => {
    const a = analytics({ lines: [door] });
    expect(crossings(run(a, walk(path([0.3, 0.45], [0.3, 0.55], 51), { id: 1 })))).toEqual([[1, 'in', 'person']]);
  });

  it('ignores a path that crosses the infinite line beyond the segment', () => {
    const a = analytics({ lines: [door] });
    expect(crossings(run(a, walk(path([0.9, 0.3], [0.9, 0.7], 9), { id: 1 })))).toEqual([]);
    // Going round the end and coming back through the segment: one crossing, back out.
    const around = [...path([0.9, 0.7], [0.5, 0.7], 5), ...path([0.5, 0.7], [0.5, 0.3], 5)];
    expect(crossings(run(a, walk(around, { id: 1 }), 9))).toEqual([[1, 'out', 'person']]);
  });

  it('applies the line filter to the observations that count', () => {
    const a = analytics({ lines: [{ ...door, filter: { classes: ['car'] } }] });
    const frames = path([0.5, 0.3], [0.5, 0.7], 9).map((at) => [
      { id: 1, at },
      { id: 2, at, label: 'car', classId: 2 },
    ]);
    expect(crossings(run(a, frames))).toEqual([[2, 'in', 'car']]);
  });

  it('uses the filter anchor: a centre anchor crosses later than the bottom', () => {
    const bottom = analytics({ lines: [door] });
    const centre = analytics({ lines: [{ ...door, filter: { anchor: 'center' } }] });
    const frames = walk(path([0.5, 0.3], [0.5, 0.7], 41), { id: 1, h: 0.2 });
    const [b] = run(bottom, frames);
    const [c] = run(centre, frames);
    expect(b?.type).toBe('line.cross');
    expect(c?.type).toBe('line.cross');
    expect((c?.frameIndex ?? 0) - (b?.frameIndex ?? 0)).toBe(10); // the centre is 0.1 above the bottom, at 0.01 per frame
  });

  it('settles a crossing still under way when the track ends on the far side inside the dead band', () => {
    const edge = { id: 'edge', a: [0, 0.985] as [number, number], b: [1, 0.985] as [number, number] };
    const a = analytics({ lines: [edge] });
    const events = run(a, walk(path([0.5, 0.9], [0.5, 0.99], 10), { id: 1 }));
    expect(crossings(events)).toEqual([]);
    expect(crossings(a.flush())).toEqual([[1, 'in', 'person']]);
  });
});
