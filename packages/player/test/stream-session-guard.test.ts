import { StreamSessionSchema } from '@sightline/protocol';
import { describe, expect, it } from 'vitest';
import { checkStreamSession, parseStreamSession } from '../src/stream-session-guard.js';

const valid = {
  id: '0190b2a4-1c2d-7e3f-8a9b-0c1d2e3f4a5b',
  appId: 'tux-racer',
  appName: 'Tux Racer',
  state: 'queued',
  queuePosition: 2,
  hostId: null,
  endReason: null,
  message: null,
  createdAt: 1_760_000_000_000,
  startedAt: null,
  endedAt: null,
  whepUrl: '/api/v1/sessions/0190b2a4-1c2d-7e3f-8a9b-0c1d2e3f4a5b/whep',
  width: 1280,
  height: 720,
  fps: 60,
  inputProfile: 'keyboard-mouse',
  gamepadKeys: { buttons: { '0': 'Space' }, axes: { '0-': 'ArrowLeft' } },
  reconnectGraceMs: 30_000,
  spectators: 0,
};

const withHostStats = { ...valid, state: 'running', queuePosition: null, hostStats: { fps: 59.9, bitrateKbps: 5400, targetBitrateKbps: 6000, cpuPercent: 71.5, captureLatencyMs: 4.2, keyframes: 3 } };

const ended = { ...valid, state: 'ended', queuePosition: null, hostId: 'host-1', endReason: 'idle-timeout', message: 'idle for 600 s', startedAt: 1, endedAt: 2, gamepadKeys: null };

/** Each of these must be refused by the schema and by the hand-written guard alike. */
const invalid: [string, unknown][] = [
  ['not an object', 'session'],
  ['null', null],
  ['an array', [valid]],
  ['an id that is not a UUID', { ...valid, id: 'abc' }],
  ['a UUID without the variant bits', { ...valid, id: '12345678-1234-1234-1234-123456789abc' }],
  ['an unknown state', { ...valid, state: 'paused' }],
  ['a queue position of 0', { ...valid, queuePosition: 0 }],
  ['a fractional queue position', { ...valid, queuePosition: 1.5 }],
  ['a missing queue position', { ...valid, queuePosition: undefined }],
  ['an unknown end reason', { ...valid, endReason: 'crashed' }],
  ['a numeric message', { ...valid, message: 3 }],
  ['a createdAt as a string', { ...valid, createdAt: '1' }],
  ['a fractional startedAt', { ...valid, startedAt: 1.5 }],
  ['no whepUrl', { ...valid, whepUrl: undefined }],
  ['a width as a string', { ...valid, width: '1280' }],
  ['an unknown input profile', { ...valid, inputProfile: 'touch' }],
  ['a gamepad button beyond 16', { ...valid, gamepadKeys: { buttons: { '17': 'Space' }, axes: {} } }],
  ['a gamepad axis of 4', { ...valid, gamepadKeys: { buttons: {}, axes: { '4+': 'KeyD' } } }],
  ['a key code with a dash', { ...valid, gamepadKeys: { buttons: { '0': 'Key-A' }, axes: {} } }],
  ['an extra key map field', { ...valid, gamepadKeys: { buttons: {}, axes: {}, triggers: {} } }],
  ['a negative grace period', { ...valid, reconnectGraceMs: -1 }],
  ['a fractional spectator count', { ...valid, spectators: 0.5 }],
  ['host stats that are not an object', { ...valid, hostStats: 'fast' }],
  ['an unknown recording state', { ...valid, recording: 'paused' }],
  ['a negative host fps', { ...withHostStats, hostStats: { ...withHostStats.hostStats, fps: -1 } }],
  ['a fractional keyframe count', { ...withHostStats, hostStats: { ...withHostStats.hostStats, keyframes: 1.5 } }],
  ['host stats without the CPU', { ...withHostStats, hostStats: { ...withHostStats.hostStats, cpuPercent: undefined } }],
];

describe('the stream session guard', () => {
  it('accepts what the schema accepts, with the same values', () => {
    for (const value of [valid, ended, withHostStats, { ...valid, hostStats: null }, { ...ended, recording: 'ready' }, { ...valid, gamepadKeys: { buttons: {} } }, { ...valid, extra: 'ignored' }]) {
      const schema = StreamSessionSchema.safeParse(value);
      const guard = checkStreamSession(value);
      expect(schema.success).toBe(true);
      expect(guard).toEqual({ ok: true, session: schema.data });
    }
  });

  it.each(invalid)('refuses %s, as the schema does', (_what, value) => {
    expect(StreamSessionSchema.safeParse(value).success).toBe(false);
    const guard = checkStreamSession(value);
    expect(guard.ok).toBe(false);
  });

  it('parses event data and refuses what is not JSON', () => {
    expect(parseStreamSession(JSON.stringify(valid))).toMatchObject({ ok: true, session: { state: 'queued', queuePosition: 2 } });
    expect(parseStreamSession('{"id":')).toEqual({ ok: false, error: 'not JSON' });
  });
});
