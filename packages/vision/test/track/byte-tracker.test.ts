import type { Box, Detection, Track } from '@sightline/protocol';
import { describe, expect, it } from 'vitest';
import { ByteTracker } from '../../src/track/byte-tracker.js';
import { FrameOrderError, InvalidDetectionError, TrackerOptionsError } from '../../src/track/errors.js';

/** A 40×100 person box with its top-left corner at (x, y). */
function person(x: number, y: number, score = 0.9): Detection {
  return { classId: 0, label: 'person', score, box: [x, y, x + 40, y + 100] };
}

function car(x: number, y: number, score = 0.9): Detection {
  return { classId: 2, label: 'car', score, box: [x, y, x + 40, y + 100] };
}

function idsOf(tracks: Track[]): number[] {
  return tracks.map((t) => t.trackId).sort((a, b) => a - b);
}

function centreX(box: Box): number {
  return (box[0] + box[2]) / 2;
}

describe('ByteTracker', () => {
  it('confirms first-frame detections at once, numbering ids from 1', () => {
    const tracker = new ByteTracker();
    const tracks = tracker.update([person(0, 0), person(200, 0)]);
    expect(idsOf(tracks)).toEqual([1, 2]);
    expect(tracks.every((t) => t.state === 'confirmed' && t.age === 0)).toBe(true);
  });

  it('follows a moving object with one id and a Kalman-smoothed box', () => {
    const tracker = new ByteTracker();
    let last: Track[] = [];
    for (let f = 0; f < 20; f++) last = tracker.update([person(10 * f, 50)]);
    expect(idsOf(last)).toEqual([1]);
    const [t] = last;
    expect(t!.age).toBe(19);
    expect(t!.label).toBe('person');
    expect(centreX(t!.box)).toBeCloseTo(190 + 20, 0);
  });

  it('keeps the id through a short occlusion and reports the object as lost meanwhile', () => {
    const tracker = new ByteTracker();
    for (let f = 0; f < 10; f++) tracker.update([person(8 * f, 50)]);
    for (let f = 10; f < 15; f++) {
      expect(tracker.update([])).toEqual([]);
      const lost = tracker.lostTracks();
      expect(idsOf(lost)).toEqual([1]);
      expect(lost[0]!.state).toBe('lost');
    }
    // Reappears where its motion predicts it; a second person shows up elsewhere.
    const back = tracker.update([person(8 * 15, 50), person(500, 50)]);
    expect(idsOf(back)).toEqual([1]);
    expect(tracker.lostTracks()).toEqual([]);
  });

  it('keeps two crossing objects apart', () => {
    const tracker = new ByteTracker();
    // A walks right, B walks left, slightly lower; they overlap heavily around frame 10.
    const a = (f: number) => person(20 + 10 * f, 100);
    const b = (f: number) => person(220 - 10 * f, 120);
    const first = tracker.update([a(0), b(0)]);
    const idA = first.find((t) => centreX(t.box) < 100)!.trackId;
    const idB = first.find((t) => centreX(t.box) > 100)!.trackId;
    for (let f = 1; f <= 20; f++) {
      const tracks = tracker.update([a(f), b(f)]);
      expect(idsOf(tracks)).toEqual([idA, idB].sort());
      const trackA = tracks.find((t) => t.trackId === idA)!;
      expect(Math.abs(centreX(trackA.box) - centreX(a(f).box))).toBeLessThan(15);
    }
  });

  it('uses low-score detections to keep a partly occluded object tracked (the ByteTrack point)', () => {
    const run = (options: ConstructorParameters<typeof ByteTracker>[0]) => {
      const tracker = new ByteTracker(options);
      for (let f = 0; f < 5; f++) tracker.update([person(5 * f, 0, 0.9)]);
      const dipped: Track[][] = [];
      for (let f = 5; f < 10; f++) dipped.push(tracker.update([person(5 * f, 0, 0.3)]));
      const after = tracker.update([person(50, 0, 0.9)]);
      return { dipped, after };
    };
    const byte = run({});
    expect(byte.dipped.every((tracks) => idsOf(tracks).join() === '1')).toBe(true);
    expect(byte.dipped.at(-1)![0]!.score).toBeLessThan(0.5); // the smoothed score follows the dip
    expect(idsOf(byte.after)).toEqual([1]);

    // Without the second stage (low detections discarded), the object drops out during the dip.
    const noLow = run({ lowThresh: 0.5 });
    expect(noLow.dipped.every((tracks) => tracks.length === 0)).toBe(true);
  });

  it('does not report a tentative track that vanishes, nor reuse its id', () => {
    const tracker = new ByteTracker();
    tracker.update([person(0, 0)]);
    const second = tracker.update([person(0, 0), person(300, 0)]);
    expect(idsOf(second)).toEqual([1]);
    expect(tracker.tentativeTracks().map((t) => [t.trackId, t.state])).toEqual([[2, 'tentative']]);
    const third = tracker.update([person(0, 0)]);
    expect(idsOf(third)).toEqual([1]);
    expect(tracker.tentativeTracks()).toEqual([]);
    expect(tracker.lostTracks()).toEqual([]);
    // A newcomer gets a fresh id and is confirmed on its second frame.
    tracker.update([person(0, 0), person(300, 0)]);
    expect(idsOf(tracker.update([person(0, 0), person(300, 0)]))).toEqual([1, 3]);
  });

  it('never reuses ids after a track is removed', () => {
    const tracker = new ByteTracker({ trackBuffer: 5 });
    tracker.update([person(0, 0)]);
    tracker.update([person(0, 0)]);
    for (let f = 0; f < 7; f++) tracker.update([]);
    expect(tracker.lostTracks()).toEqual([]);
    tracker.update([person(0, 0)]);
    const tracks = tracker.update([person(0, 0)]);
    expect(idsOf(tracks)).toEqual([2]);
  });

  it('scales the lost buffer by frame rate like the reference', () => {
    expect(new ByteTracker({ frameRate: 15, trackBuffer: 30 }).options.maxTimeLost).toBe(15);
    expect(new ByteTracker({ frameRate: 25 }).options.maxTimeLost).toBe(25);
    expect(new ByteTracker().options.newTrackThresh).toBeCloseTo(0.6, 12);
  });

  it('keeps tracks alive, unmoved, through a still scene without counting it against the lost buffer', () => {
    const tracker = new ByteTracker({ trackBuffer: 5 });
    for (let f = 0; f < 5; f++) tracker.update([person(100, 100)], f);
    const before = tracker.confirmedTracks();
    for (let f = 5; f < 1005; f++) {
      const tracks = tracker.keepAlive(f);
      expect(tracks.map((t) => [t.trackId, t.box])).toEqual(before.map((t) => [t.trackId, t.box]));
    }
    expect(tracker.confirmedTracks()[0]!.age).toBe(1004);
    expect(idsOf(tracker.update([person(101, 100)], 1005))).toEqual([1]);

    // The same stretch fed as empty detector frames loses and then removes the track.
    const blind = new ByteTracker({ trackBuffer: 5 });
    for (let f = 0; f < 5; f++) blind.update([person(100, 100)]);
    for (let f = 0; f < 10; f++) blind.update([]);
    expect(blind.lostTracks()).toEqual([]);
    expect(blind.confirmedTracks()).toEqual([]);
  });

  it('coasts tracks on their motion when the detector is skipped', () => {
    const tracker = new ByteTracker();
    for (let f = 0; f < 15; f++) tracker.update([person(10 * f, 0)]);
    const coasting = tracker.predictOnly();
    expect(idsOf(coasting)).toEqual([1]);
    expect(coasting[0]!.state).toBe('confirmed');
    expect(centreX(coasting[0]!.box)).toBeCloseTo(150 + 20, -1);
    expect(idsOf(tracker.update([person(160, 0)]))).toEqual([1]);
  });

  it('does not match across classes unless told to', () => {
    const aware = new ByteTracker();
    aware.update([person(0, 0)]);
    aware.update([car(0, 0)]);
    expect(aware.lostTracks().map((t) => t.label)).toEqual(['person']);
    expect(aware.tentativeTracks().map((t) => t.label)).toEqual(['car']);

    const agnostic = new ByteTracker({ classAware: false });
    agnostic.update([person(0, 0, 0.6)]);
    agnostic.update([car(0, 0, 0.9)]);
    const tracks = agnostic.update([car(0, 0, 0.9)]);
    expect(idsOf(tracks)).toEqual([1]);
    // The class is a score-weighted vote: two confident "car" sightings outweigh one weak "person".
    expect(tracks[0]!.label).toBe('car');
    expect(tracks[0]!.classId).toBe(2);
  });

  it('smooths the reported score', () => {
    const tracker = new ByteTracker({ scoreSmoothing: 0.5 });
    tracker.update([person(0, 0, 0.9)]);
    expect(tracker.update([person(0, 0, 0.5)])[0]!.score).toBeCloseTo(0.7, 12);
    const raw = new ByteTracker({ scoreSmoothing: 0 });
    raw.update([person(0, 0, 0.9)]);
    expect(raw.update([person(0, 0, 0.5)])[0]!.score).toBeCloseTo(0.5, 12);
  });

  it('ignores empty boxes and rejects malformed detections', () => {
    const tracker = new ByteTracker();
    expect(tracker.update([{ classId: 0, label: 'person', score: 0.9, box: [5, 5, 5, 50] }])).toEqual([]);
    expect(() => tracker.update([person(0, 0, 1.5)])).toThrow(InvalidDetectionError);
    expect(() => tracker.update([{ ...person(0, 0), box: [10, 0, 0, 10] }])).toThrow(/inverted/);
    expect(() => tracker.update([{ ...person(0, 0), box: [0, 0, NaN, 10] }])).toThrow(/non-finite/);
  });

  it('rejects bad options and frame indices that go backwards', () => {
    expect(() => new ByteTracker({ trackThresh: 2 })).toThrow(TrackerOptionsError);
    expect(() => new ByteTracker({ lowThresh: 0.7, trackThresh: 0.5 })).toThrow(/lowThresh/);
    expect(() => new ByteTracker({ frameRate: 0 })).toThrow(/frameRate/);
    expect(() => new ByteTracker({ trackBuffer: 2.5 })).toThrow(/trackBuffer/);
    const tracker = new ByteTracker();
    tracker.update([], 10);
    expect(() => tracker.update([], 9)).toThrow(FrameOrderError);
  });
});
