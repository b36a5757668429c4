import { joinAnnexB, NAL_TYPE, nalType, splitAnnexB, type AccessUnit } from '@sightline/media';
import { afterAll, describe, expect, it } from 'vitest';
import { startsRefresh, type StreamSession } from '../src/index.js';
import { colorSession } from './support/color-session.js';
import { decodeGrey, meanDifference } from './support/offline-decode.js';

const WIDTH = 320;
const HEIGHT = 180;
/** Mean grey difference under which two decodes of the same picture count as the same (intra-refresh is exact). */
const SAME = 1;

describe('intra refresh', () => {
  let session: StreamSession | undefined;
  afterAll(async () => {
    await session?.end();
  });

  it('a decoder that joins mid-stream shows a clean picture within 0.5 s of video', async () => {
    session = colorSession({ width: WIDTH, height: HEIGHT });
    await session.start();
    const units: AccessUnit[] = [];
    session.capture.subscribe((unit) => units.push(unit), { replay: true });
    // Keep the picture changing, so that pictures depend on what came before them.
    let step = 0;
    const driver = setInterval(() => {
      step++;
      session!.input({ type: 'key', code: 'Space', down: true });
      session!.input({ type: 'key', code: 'Space', down: false });
      session!.input({ type: 'mouse-move', x: (step % 2) * 0.5 + 0.2, y: (step % 3 === 0 ? 0.2 : 0.7) });
      session!.input({ type: 'button', button: 0, down: true });
      session!.input({ type: 'button', button: 0, down: false });
    }, 70);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    clearInterval(driver);
    await session.end();

    expect(units[0]!.keyframe).toBe(true);
    const starts = units.map((unit, index) => (startsRefresh(unit.data) ? index : -1)).filter((index) => index >= 0);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    // The worst moment to join: just after a sweep began, so the next whole sweep is needed.
    const join = starts[1]! + 1;
    const parameterSets = joinAnnexB(splitAnnexB(units[0]!.data).filter((nal) => nalType(nal) === NAL_TYPE.SPS || nalType(nal) === NAL_TYPE.PPS));
    const joined = Buffer.concat([parameterSets, ...units.slice(join).map((unit) => unit.data)]);

    const reference = await decodeGrey(Buffer.concat(units.map((unit) => unit.data)), WIDTH, HEIGHT, true);
    const everything = await decodeGrey(joined, WIDTH, HEIGHT, true);
    expect(reference.length).toBe(units.length);
    expect(everything.length).toBe(units.length - join);

    // The first picture from which the joined decoder matches the reference for good.
    const differences = everything.map((picture, i) => meanDifference(picture, reference[join + i]!));
    let clean = differences.length;
    while (clean > 0 && differences[clean - 1]! < SAME) clean--;
    const cleanAfterMs = (units[join + clean]!.pts - units[join]!.pts) / 90;
    const sweepMs = (units[starts[2]!]!.pts - units[starts[1]!]!.pts) / 90;
    console.log(
      `sweep ${sweepMs.toFixed(0)} ms; joined just after a sweep start: garbage for ${clean} pictures, clean after ${cleanAfterMs.toFixed(0)} ms of video` +
        ` (first differences: ${differences.slice(0, 4).map((d) => d.toFixed(1)).join(', ')})`,
    );
    expect(differences[0]!).toBeGreaterThan(SAME); // it did start broken: the test measures something
    expect(cleanAfterMs).toBeLessThanOrEqual(500);

    // An ordinary decoder (as a player would run it) shows nothing broken: its first picture is already clean.
    const shown = await decodeGrey(joined, WIDTH, HEIGHT, false);
    const firstShown = units.length - join - shown.length;
    const firstShownMs = (units[join + firstShown]!.pts - units[join]!.pts) / 90;
    console.log(`ordinary decoder: first picture after ${firstShownMs.toFixed(0)} ms of video, difference ${meanDifference(shown[0]!, reference[join + firstShown]!).toFixed(2)}`);
    expect(firstShownMs).toBeLessThanOrEqual(500);
    expect(meanDifference(shown[0]!, reference[join + firstShown]!)).toBeLessThan(SAME);
  });
});
