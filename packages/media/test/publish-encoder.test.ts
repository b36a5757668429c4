import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  decideKeyframe,
  H264_NAL,
  h264NalTypesStarting,
  readRtpHeader,
  RtpEncoder,
  RtpEncoderError,
  type KeyframeEvent,
  type KeyframeSituation,
  type RtpEncoderOptions,
  type RtpEncoderState,
  type RtpHeader,
} from '../src/publish/index.js';
import { makeClip } from './publish-support/media-files.js';
import { isRunning, reportFigure, sleep, waitUntilGone } from './publish-support/processes.js';

const PATTERN = 'lavfi:testsrc2=size=640x360:rate=30';

interface Captured {
  header: RtpHeader;
  packet: Buffer;
}

interface AccessUnit {
  timestamp: number;
  packets: Captured[];
  nalTypes: number[];
}

const running: RtpEncoder[] = [];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'publish-encoder-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  const pids = running.flatMap((encoder) => encoder.pids);
  await Promise.all(running.splice(0).map((encoder) => encoder.stop()));
  expect(pids.filter(isRunning)).toEqual([]);
});

function encoder(options: RtpEncoderOptions): RtpEncoder {
  const created = new RtpEncoder(options);
  running.push(created);
  return created;
}

function capture(source: RtpEncoder): Captured[] {
  const packets: Captured[] = [];
  source.on('rtp', (packet) => packets.push({ header: readRtpHeader(packet)!, packet }));
  return packets;
}

function accessUnits(packets: readonly Captured[]): AccessUnit[] {
  const units: AccessUnit[] = [];
  for (const captured of packets) {
    let unit = units.at(-1);
    if (unit?.timestamp !== captured.header.timestamp) {
      unit = { timestamp: captured.header.timestamp, packets: [], nalTypes: [] };
      units.push(unit);
    }
    unit.packets.push(captured);
    unit.nalTypes.push(...h264NalTypesStarting(captured.packet.subarray(captured.header.headerLength)));
  }
  return units;
}

/** profile_idc of the first SPS in the access unit: 66 baseline, 77 main, 100 high. */
function spsProfile(unit: AccessUnit): number | undefined {
  for (const { packet, header } of unit.packets) {
    const payload = packet.subarray(header.headerLength);
    if ((payload[0]! & 0x1f) === H264_NAL.SPS) return payload[1];
    if ((payload[0]! & 0x1f) !== H264_NAL.STAP_A) continue;
    // STAP-A: [header][size16][nal]...; ffmpeg aggregates SPS and PPS this way.
    for (let offset = 1; offset + 3 < payload.length; offset += 2 + payload.readUInt16BE(offset)) {
      if ((payload[offset + 2]! & 0x1f) === H264_NAL.SPS) return payload[offset + 3];
    }
  }
  return undefined;
}

function expectContinuous(packets: readonly Captured[], ssrc: number): void {
  for (let i = 1; i < packets.length; i++) {
    expect(packets[i]!.header.sequenceNumber).toBe((packets[i - 1]!.header.sequenceNumber + 1) & 0xffff);
    expect(packets[i]!.header.ssrc).toBe(ssrc);
  }
  const units = accessUnits(packets);
  for (let i = 1; i < units.length; i++) {
    // Timestamps only move forward (mod 2^32), by less than a second of 90 kHz clock.
    const step = (units[i]!.timestamp - units[i - 1]!.timestamp) >>> 0;
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(90_000);
  }
}

function nextKeyframe(source: RtpEncoder, timeoutMs: number): Promise<KeyframeEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no keyframe within ${timeoutMs} ms`)), timeoutMs);
    source.once('keyframe', (event) => {
      clearTimeout(timer);
      resolve(event);
    });
  });
}

function nextState(source: RtpEncoder, wanted: RtpEncoderState, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ${wanted} within ${timeoutMs} ms (${source.state})`)), timeoutMs);
    const onState = (state: RtpEncoderState) => {
      if (state !== wanted) return;
      clearTimeout(timer);
      source.off('state', onState);
      resolve();
    };
    source.on('state', onState);
  });
}

async function startError(source: RtpEncoder): Promise<RtpEncoderError> {
  const error = await source.start().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RtpEncoderError);
  return error as RtpEncoderError;
}

describe('RtpEncoder', () => {
  it('encodes a test pattern into H.264 RTP: baseline, 90 kHz, in-band SPS/PPS on every keyframe', async () => {
    const source = encoder({ source: PATTERN, width: 320, height: 180, gopSeconds: 0.5, payloadType: 102, ssrc: 0x1234abcd });
    const packets = capture(source);
    const keyframes: KeyframeEvent[] = [];
    source.on('keyframe', (event) => keyframes.push(event));
    const started = performance.now();
    await source.start();
    reportFigure('encoder start() to first RTP packet (lavfi 640x360 scaled to 320x180)', performance.now() - started);
    expect(source.state).toBe('running');
    await sleep(1400);

    for (const { header, packet } of packets) {
      expect(header.version).toBe(2);
      expect(header.payloadType).toBe(102);
      expect(header.ssrc).toBe(0x1234abcd);
      expect(packet.length).toBeLessThanOrEqual(1200);
    }
    expectContinuous(packets, 0x1234abcd);

    const units = accessUnits(packets).slice(0, -1); // the last one may still be arriving
    expect(units.length).toBeGreaterThan(30);
    const first = units[0]!;
    expect(first.nalTypes).toEqual(expect.arrayContaining([H264_NAL.SPS, H264_NAL.PPS, H264_NAL.IDR]));
    expect(spsProfile(first)).toBe(66); // baseline
    for (const unit of units) expect(unit.packets.at(-1)!.header.marker).toBe(true);
    // 30 fps on a 90 kHz clock: 3000 ticks a frame.
    const steps = units.slice(1).map((unit, i) => (unit.timestamp - units[i]!.timestamp) >>> 0);
    const medianStep = steps.sort((a, b) => a - b)[Math.floor(steps.length / 2)]!;
    expect(medianStep).toBeGreaterThan(2700);
    expect(medianStep).toBeLessThan(3300);

    // A keyframe every half second, each with its parameter sets.
    const keyframeUnits = units.filter((unit) => unit.nalTypes.includes(H264_NAL.IDR));
    expect(keyframeUnits.length).toBeGreaterThanOrEqual(3);
    for (const unit of keyframeUnits) expect(unit.nalTypes).toEqual(expect.arrayContaining([H264_NAL.SPS, H264_NAL.PPS]));
    const gaps = keyframeUnits.slice(1).map((unit, i) => ((unit.timestamp - keyframeUnits[i]!.timestamp) >>> 0) / 90);
    for (const gap of gaps) expect(Math.abs(gap - 500)).toBeLessThan(60);
    expect(keyframes.length).toBeGreaterThanOrEqual(keyframeUnits.length);
    expect(keyframes.length).toBeLessThanOrEqual(keyframeUnits.length + 1);
    expect(source.stats()).toMatchObject({ state: 'running', inputCodec: 'rawvideo' });
  });

  it('passes an H.264 file through unchanged (High profile stays High), then ends', async () => {
    // No B-frames, like most cameras: WebRTC receivers do not reorder frames.
    const clip = makeClip(dir, 'high.mp4', ['-c:v', 'libx264', '-profile:v', 'high', '-bf', '0', '-g', '25', '-pix_fmt', 'yuv420p'], 1.2);
    const source = encoder({ source: clip, passthrough: true });
    const packets = capture(source);
    const ended = new Promise<void>((resolve) => source.once('end', resolve));
    const started = performance.now();
    await source.start();
    reportFigure('passthrough start() to first RTP packet (mp4 file)', performance.now() - started);
    const pid = source.pid!;
    await ended;
    expect(source.state).toBe('ended');
    expect(await waitUntilGone([pid], 2000)).toBeLessThan(2000);

    expect(source.stats().inputCodec).toBe('h264');
    expectContinuous(packets, source.ssrc);
    const units = accessUnits(packets);
    // mp4 stores length-prefixed NAL units and keeps SPS/PPS aside; the stream must carry them in band.
    expect(units[0]!.nalTypes).toEqual(expect.arrayContaining([H264_NAL.SPS, H264_NAL.PPS, H264_NAL.IDR]));
    expect(spsProfile(units[0]!)).toBe(100);
    // 1.2 s at 25 fps, one keyframe a second.
    expect(units.length).toBeGreaterThanOrEqual(28);
    expect(units.length).toBeLessThanOrEqual(31);
    expect(units.filter((unit) => unit.nalTypes.includes(H264_NAL.IDR)).length).toBe(2);
    // Once the file has ended there is nothing to ask.
    expect(source.requestKeyframe()).toMatchObject({ action: 'wait', reason: 'not-running' });
  });

  it('refuses passthrough of a source that is not H.264, with a typed error', async () => {
    const clip = makeClip(dir, 'mpeg4.mp4', ['-c:v', 'mpeg4'], 0.5);
    const source = encoder({ source: clip, passthrough: true });
    const error = await startError(source);
    expect(error.code).toBe('not-h264');
    expect(error.message).toContain('mpeg4');
    expect(source.state).toBe('failed');
    expect(source.pids).toEqual([]);
  });

  it('answers a keyframe request in passthrough by waiting for the camera', async () => {
    const clip = makeClip(dir, 'loop.mp4', ['-c:v', 'libx264', '-bf', '0', '-g', '15', '-pix_fmt', 'yuv420p'], 1);
    const source = encoder({ source: `loop:${clip}`, passthrough: true });
    await source.start();
    await nextKeyframe(source, 2000);
    const decision = source.requestKeyframe();
    expect(decision).toMatchObject({ action: 'wait', reason: 'passthrough' });
    const keyframe = await nextKeyframe(source, 2000);
    expect(keyframe.fromRestart).toBe(false);
    expect(keyframe.sinceRequestMs).toBeLessThan(1000);
  });

  it('stop() ends ffmpeg before it resolves', async () => {
    const source = encoder({ source: PATTERN });
    await source.start();
    const pid = source.pid!;
    expect(isRunning(pid)).toBe(true);
    const stopping = performance.now();
    await source.stop();
    reportFigure('stop() until ffmpeg has exited', performance.now() - stopping);
    expect(isRunning(pid)).toBe(false);
    expect(source.state).toBe('stopped');
    expect(source.pids).toEqual([]);
  });

  it('fails fast with a typed error when the file is missing or ffmpeg is absent', async () => {
    const missing = encoder({ source: join(dir, 'no-such-file.mp4') });
    const started = performance.now();
    const error = await startError(missing);
    expect(error.code).toBe('source-not-found');
    expect(error.message).toContain('no-such-file.mp4');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(missing.state).toBe('failed');
    expect(missing.pids).toEqual([]);

    const noFfmpeg = encoder({ source: PATTERN, ffmpegPath: join(dir, 'no-ffmpeg') });
    expect((await startError(noFfmpeg)).code).toBe('ffmpeg-not-found');

    expect(() => new RtpEncoder({ source: PATTERN, width: 321 })).toThrow(/width must be an even integer/);
    expect(() => new RtpEncoder({ source: PATTERN, payloadType: 8 })).toThrow(RtpEncoderError);
  });

  it('leaves no ffmpeg behind when its parent process is killed outright', async () => {
    const child = fork(fileURLToPath(new URL('./publish-support/encoder-process.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: 'ignore',
    });
    const { pid } = await new Promise<{ pid: number }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as { pid: number }));
      child.once('exit', (code) => reject(new Error(`encoder process exited early (${code})`)));
    });
    expect(isRunning(pid)).toBe(true);
    child.kill('SIGKILL');
    const gone = await waitUntilGone([pid], 3000);
    reportFigure('ffmpeg gone after its parent was SIGKILLed', gone);
  });

  it('brings ffmpeg back when it dies mid-stream, without breaking the RTP stream', async () => {
    const source = encoder({ source: PATTERN, recoveryBackoff: { initialDelayMs: 100 } });
    const packets = capture(source);
    await source.start();
    await sleep(300);
    const firstPid = source.pid!;
    const recovering = nextState(source, 'recovering', 3000);
    process.kill(firstPid, 'SIGKILL');
    await recovering;
    const killedAt = performance.now();
    const keyframe = nextKeyframe(source, 5000);
    await nextState(source, 'running', 5000);
    expect((await keyframe).fromRestart).toBe(true);
    reportFigure('recovery: ffmpeg killed to the first keyframe of its replacement', performance.now() - killedAt);
    expect(source.pid).not.toBe(firstPid);
    await sleep(200);
    expectContinuous(packets, source.ssrc);
    expect(source.stats().recoveries).toBe(1);
  });

  it('requestKeyframe() restarts ffmpeg when the next scheduled keyframe is far, seamlessly and rate-limited', async () => {
    const source = encoder({ source: PATTERN, gopSeconds: 4, minRestartIntervalMs: 1000 });
    const packets = capture(source);
    await source.start();
    await nextKeyframe(source, 2000);
    await sleep(400);
    const latencies: number[] = [];
    for (let round = 0; round < 2; round++) {
      const pidBefore = source.pid!;
      const keyframe = nextKeyframe(source, 3000);
      const requestedAt = performance.now();
      const decision = source.requestKeyframe();
      expect(decision).toMatchObject({ action: 'restart', reason: 'restarting' });
      // A second request while the first is being served starts nothing more.
      expect(source.requestKeyframe()).toMatchObject({ action: 'wait', reason: 'restart-in-progress' });
      const event = await keyframe;
      expect(event.fromRestart).toBe(true);
      // sinceRequestMs counts from the oldest unanswered request (in round 2, the rate-limited one of round 1).
      expect(event.sinceRequestMs).toBeGreaterThanOrEqual(event.at - requestedAt - 1);
      expect(event.at - requestedAt).toBeLessThan(1500);
      latencies.push(event.at - requestedAt);
      await waitUntilGone([pidBefore], 3000);
      // The process is gone; the encoder learns it when Node reaps it.
      await vi.waitFor(() => expect(source.pids).toHaveLength(1), { timeout: 2000 });
      // Right after a restart the next one is rate-limited; the scheduled keyframe (4 s GOP) will serve.
      const limited = source.requestKeyframe();
      expect(limited).toMatchObject({ action: 'wait', reason: 'rate-limited' });
      expect(limited.expectedWithinMs).toBeGreaterThan(2500);
      await sleep(1100);
    }
    for (const latency of latencies) reportFigure('keyframe on request (ffmpeg restart), request to IDR packet', latency);
    expectContinuous(packets, source.ssrc);
    const restartUnits = accessUnits(packets).filter((unit) => unit.nalTypes.includes(H264_NAL.IDR));
    expect(restartUnits.length).toBeGreaterThanOrEqual(3);
    for (const unit of restartUnits) expect(unit.nalTypes).toEqual(expect.arrayContaining([H264_NAL.SPS, H264_NAL.PPS]));
    expect(source.stats()).toMatchObject({ keyframeRestarts: 2 });
  });

  it("in 'gop' mode waits for the scheduled keyframe, which comes within the GOP", async () => {
    const source = encoder({ source: PATTERN, gopSeconds: 1, keyframeMode: 'gop' });
    await source.start();
    await nextKeyframe(source, 2000);
    await sleep(300);
    const keyframe = nextKeyframe(source, 2000);
    const decision = source.requestKeyframe();
    expect(decision.action).toBe('wait');
    expect(decision.reason).toBe('gop-mode');
    expect(decision.expectedWithinMs).toBeLessThanOrEqual(1000);
    const event = await keyframe;
    expect(event.fromRestart).toBe(false);
    expect(event.sinceRequestMs!).toBeLessThan(decision.expectedWithinMs + 300);
  });
});

describe('decideKeyframe', () => {
  const base: KeyframeSituation = {
    now: 10_000,
    mode: 'restart',
    passthrough: false,
    running: true,
    lastKeyframeAt: 9_000,
    keyframeIntervalMs: 4000,
    restartInProgress: false,
    lastRestartAt: undefined,
    minRestartIntervalMs: 2000,
    expectedRestartMs: 150,
  };

  it('restarts only when that is sooner than the scheduled keyframe and not too soon after the last restart', () => {
    expect(decideKeyframe(base)).toEqual({ action: 'restart', reason: 'restarting', expectedWithinMs: 150 });
    expect(decideKeyframe({ ...base, lastKeyframeAt: 6_100 })).toEqual({ action: 'wait', reason: 'scheduled-keyframe-sooner', expectedWithinMs: 100 });
    expect(decideKeyframe({ ...base, lastRestartAt: 9_000 })).toEqual({ action: 'wait', reason: 'rate-limited', expectedWithinMs: 3000 });
    expect(decideKeyframe({ ...base, restartInProgress: true })).toMatchObject({ action: 'wait', reason: 'restart-in-progress' });
    expect(decideKeyframe({ ...base, mode: 'gop' })).toMatchObject({ action: 'wait', reason: 'gop-mode', expectedWithinMs: 3000 });
    expect(decideKeyframe({ ...base, passthrough: true })).toMatchObject({ action: 'wait', reason: 'passthrough' });
    expect(decideKeyframe({ ...base, running: false })).toMatchObject({ action: 'wait', reason: 'not-running' });
  });
});
