import { setTimeout as sleep } from 'node:timers/promises';
import type { BrowserViewer, JoinTiming } from './browser-viewer.js';
import { median, percentile } from './stats.js';

export interface JoinResult {
  joins: JoinTiming[];
  decodedMsMedian: number;
  presentedMsMedian: number;
  decodedMsMax: number;
}

/** WHEP POST to the first decoded frame in Chromium, one viewer at a time, the publisher already live. */
export async function measureJoins(browser: BrowserViewer, count: number, log: (line: string) => void): Promise<JoinResult> {
  const joins: JoinTiming[] = [];
  for (let i = 0; i < count; i++) {
    const timing = await browser.join();
    joins.push(timing);
    log(`join ${i + 1}: answer ${timing.answeredMs.toFixed(0)} ms, connected ${timing.connectedMs?.toFixed(0) ?? '?'} ms, first frame decoded ${timing.decodedMs.toFixed(0)} ms, presented ${timing.presentedMs?.toFixed(0) ?? '?'} ms`);
    await sleep(500);
    await browser.leave();
    await browser.frames();
    await sleep(700);
  }
  const decoded = joins.map((j) => j.decodedMs);
  return {
    joins,
    decodedMsMedian: median(decoded),
    presentedMsMedian: median(joins.map((j) => j.presentedMs ?? Number.NaN).filter((v) => !Number.isNaN(v))),
    decodedMsMax: Math.max(...decoded),
  };
}

export interface GlassResult {
  frames: number;
  unmatched: number;
  width: number;
  height: number;
  /** The frame entering the edge (from the camera) to its presentation in Chromium, ms. */
  presentP50: number;
  presentP95: number;
  presentMax: number;
  /** The frame entering the edge to its last packet received by Chromium, ms (processing, transport, relay). */
  receiveP50: number;
  receiveP95: number;
  samples: { rtpTimestamp: number; receiveMs: number | null; presentMs: number }[];
}

/** One Chromium viewer watches for `seconds`; each presented frame is matched with its send time by RTP timestamp. */
export async function measureGlassToGlass(browser: BrowserViewer, publisher: { sentAt: ReadonlyMap<number, number> }, seconds: number): Promise<GlassResult> {
  await browser.join();
  await sleep(1500); // past the join's catch-up (the cached GOP is played at once, so its frames are late by design)
  await browser.frames();
  await sleep(seconds * 1000);
  const frames = await browser.frames();
  await browser.leave();
  const samples: GlassResult['samples'] = [];
  let unmatched = 0;
  for (const frame of frames) {
    const sentAt = publisher.sentAt.get(frame.rtpTimestamp);
    if (sentAt === undefined) {
      unmatched++;
      continue;
    }
    samples.push({
      rtpTimestamp: frame.rtpTimestamp,
      receiveMs: frame.receiveWallMs === null ? null : frame.receiveWallMs - sentAt,
      presentMs: frame.presentationWallMs - sentAt,
    });
  }
  const present = samples.map((s) => s.presentMs);
  const receive = samples.flatMap((s) => (s.receiveMs === null ? [] : [s.receiveMs]));
  return {
    frames: frames.length,
    unmatched,
    width: frames[0]?.width ?? 0,
    height: frames[0]?.height ?? 0,
    presentP50: percentile(present, 50),
    presentP95: percentile(present, 95),
    presentMax: Math.max(...present),
    receiveP50: percentile(receive, 50),
    receiveP95: percentile(receive, 95),
    samples,
  };
}
