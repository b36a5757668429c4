import { describe, expect, it } from 'vitest';
import { ClipQuerySchema, EventClipQuerySchema, RecordingConfigSchema, RecordingListQuerySchema, RecordingSegmentUploadSchema } from '../src/index.js';

describe('recording API schemas', () => {
  it('takes a listing range as ms or ISO-8601, with a default limit, and bounds it', () => {
    expect(RecordingListQuerySchema.parse({ from: '1000', to: '2000' })).toEqual({ from: 1000, to: 2000, limit: 1000 });
    expect(RecordingListQuerySchema.parse({ from: '2026-11-03T09:00:00Z', to: '2026-11-03T10:00:00Z', limit: '5' }).to).toBe(Date.UTC(2026, 10, 3, 10));
    const backwards = RecordingListQuerySchema.safeParse({ from: '2000', to: '1000' });
    expect(backwards.success).toBe(false);
    expect(backwards.error?.issues[0]).toMatchObject({ path: ['to'], message: 'must be after from' });
    expect(RecordingListQuerySchema.safeParse({ from: '0', to: String(25 * 3_600_000) }).error?.issues[0]?.message).toMatch(/24 hours/);
    expect(RecordingListQuerySchema.safeParse({ from: '0', to: '1', extra: 'x' }).success).toBe(false);
  });

  it('bounds a clip to six hours and reads the download flag', () => {
    expect(ClipQuerySchema.parse({ from: '0', to: '1000', download: 'true' })).toEqual({ from: 0, to: 1000, download: true });
    expect(ClipQuerySchema.parse({ from: '0', to: '1000' }).download).toBeUndefined();
    expect(ClipQuerySchema.safeParse({ from: '0', to: String(6 * 3_600_000 + 1) }).success).toBe(false);
    expect(ClipQuerySchema.safeParse({ from: '0', to: '1', download: 'maybe' }).success).toBe(false);
    expect(EventClipQuerySchema.parse({ download: '0' })).toEqual({ download: false });
  });

  it('keeps the committed contract: upload parameters and recording config defaults', () => {
    expect(RecordingSegmentUploadSchema.parse({ id: '0190b1a2-1111-7abc-8def-0123456789ab', cameraId: 'gate', startedAt: '1700000000000', durationMs: '4000' })).toEqual({
      id: '0190b1a2-1111-7abc-8def-0123456789ab',
      cameraId: 'gate',
      startedAt: 1_700_000_000_000,
      durationMs: 4000,
    });
    expect(RecordingConfigSchema.parse({})).toEqual({ mode: 'off', preRollSeconds: 5, postRollSeconds: 10, retainDays: 7 });
  });
});
