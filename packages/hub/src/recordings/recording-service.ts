import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import {
  RECORDING_SEGMENT_MAX_BYTES,
  RecordingConfigSchema,
  type RecordingList,
  type RecordingSegment,
  type RecordingSegmentUpload,
  type RecordingUploadResult,
} from '@sightline/protocol';
import type { RecordingSegmentRow, Store } from '../store/store.js';
import type { HubMetrics } from '../metrics.js';
import { ApiError, forbidden, notFound } from '../http/api-error.js';
import { SegmentBodyError, SegmentFiles } from './segment-files.js';
import { ClipExporter } from './clip-exporter.js';
import { planClip } from './clip-plan.js';
import { recordedRanges } from './time-ranges.js';

export type DeletionReason = 'retain_days' | 'size_budget' | 'camera_removed';

export interface RecordingServiceOptions {
  store: Store;
  metrics: HubMetrics;
  log: Logger;
  /** `<dataDir>/recordings`: segments, and the clip cache in `.clips`. */
  dir: string;
  maxSegmentBytes?: number;
  ffmpegPath?: string;
  /** Called after a segment is stored, with the bytes now stored in all (the retention's size budget listens). */
  onStored?: (totalBytes: number) => void;
}

/** A segment may claim to start this far in the future (an edge clock a little ahead), not more. */
const MAX_FUTURE_MS = 24 * 3_600_000;
const DEFAULT_RECORDING = RecordingConfigSchema.parse({});

/**
 * Recordings on the hub: stores segments uploaded by devices (file first, then the row), lists them as segments and
 * recorded ranges, assembles clips, and deletes segments (rows, then files) for retention or a removed camera.
 */
export class RecordingService {
  readonly files: SegmentFiles;
  private readonly exporter: ClipExporter;
  private storedBytes = 0;

  constructor(private readonly options: RecordingServiceOptions) {
    this.files = new SegmentFiles(options.dir);
    this.exporter = new ClipExporter({ dir: join(this.files.root, '.clips'), ffmpegPath: options.ffmpegPath });
  }

  get maxSegmentBytes(): number {
    return this.options.maxSegmentBytes ?? RECORDING_SEGMENT_MAX_BYTES;
  }

  async start(): Promise<void> {
    await this.files.cleanIncoming();
    await this.exporter.start();
    await this.refreshStoredBytes();
  }

  stop(): void {
    this.exporter.stop();
  }

  /** Re-reads the total from the store (retention calls it; uploads and deletions keep it current in between). */
  async refreshStoredBytes(): Promise<number> {
    this.storedBytes = await this.options.store.recordingBytes();
    this.options.metrics.recordingBytes.set(this.storedBytes);
    return this.storedBytes;
  }

  /**
   * Stores one segment uploaded by `deviceId`. The camera must exist and belong to that device. The same id again is
   * answered from the stored row without reading the body (the edge retries after a lost answer).
   */
  async upload(deviceId: string, upload: RecordingSegmentUpload, body: Readable, now = Date.now()): Promise<RecordingUploadResult & { status: number }> {
    const { store, metrics, log } = this.options;
    const camera = await store.getCamera(upload.cameraId);
    if (!camera) throw this.refused('unknown_camera', new ApiError(404, 'not_found', `camera "${upload.cameraId}" does not exist`, 'cameraId'));
    if (camera.deviceId !== deviceId) {
      throw this.refused('foreign_camera', forbidden(`camera "${upload.cameraId}" belongs to another device; a device uploads only its own cameras`));
    }
    if (upload.startedAt > now + MAX_FUTURE_MS) {
      throw this.refused('bad_time', new ApiError(400, 'invalid_request', 'startedAt is more than a day in the future (is the edge clock right?)', 'startedAt'));
    }
    const id = upload.id.toLowerCase();

    const existing = await store.getRecordingSegment(id);
    if (existing) return this.duplicate(existing, upload, deviceId);

    const fileKey = this.files.keyFor(upload.cameraId, id, upload.startedAt);
    let bytes: number;
    try {
      bytes = await this.files.write(fileKey, body, this.maxSegmentBytes);
    } catch (err) {
      if (err instanceof SegmentBodyError) {
        const status = err.reason === 'too_large' ? 413 : 400;
        throw this.refused(err.reason, new ApiError(status, status === 413 ? 'payload_too_large' : 'invalid_request', err.message));
      }
      throw err;
    }
    const row: RecordingSegmentRow = {
      id,
      cameraId: upload.cameraId,
      deviceId,
      startedAt: upload.startedAt,
      endedAt: upload.startedAt + upload.durationMs,
      bytes,
      fileKey,
      createdAt: now,
    };
    if (!(await store.insertRecordingSegment(row))) {
      // The same id committed by a concurrent upload of it: that one's row (and the same file name) stands.
      const winner = await store.getRecordingSegment(row.id);
      if (winner) return this.duplicate(winner, upload, deviceId);
    }
    metrics.recordingSegmentsUploaded.inc();
    metrics.recordingUploadedBytes.inc(bytes);
    this.storedBytes += bytes;
    metrics.recordingBytes.set(this.storedBytes);
    log.debug({ segmentId: row.id, cameraId: row.cameraId, bytes }, 'recording segment stored');
    this.options.onStored?.(this.storedBytes);
    return { status: 201, stored: true, segment: toSegment(row) };
  }

  async list(cameraId: string, from: number, to: number, limit: number): Promise<RecordingList> {
    const { store } = this.options;
    const [segments, spans, total] = await Promise.all([
      store.recordingSegmentsBetween(cameraId, from, to, limit),
      store.recordingSpansBetween(cameraId, from, to),
      store.countRecordingSegmentsBetween(cameraId, from, to),
    ]);
    return { cameraId, from, to, ...recordedRanges(spans, from, to), segments: segments.map(toSegment), truncated: total > segments.length };
  }

  /** One MP4 of the camera's recordings in [from, to) (recorded parts back to back; gaps are skipped). */
  async clip(cameraId: string, from: number, to: number): Promise<{ path: string; bytes: number }> {
    const { store, metrics } = this.options;
    // A clip covers at most hours of few-second segments: tens of thousands of rows at the very most.
    const rows = await store.recordingSegmentsBetween(cameraId, from, to, 100_000);
    const present: { path: string; startedAt: number; endedAt: number }[] = [];
    for (const row of rows) {
      // Retention may have deleted a file since the rows were read.
      if ((await this.files.size(row.fileKey)) !== undefined) present.push({ path: this.files.pathOf(row.fileKey), startedAt: row.startedAt, endedAt: row.endedAt });
    }
    const parts = planClip(present, from, to);
    if (parts.length === 0) {
      throw new ApiError(404, 'not_found', `camera "${cameraId}" has no recording between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
    }
    const { path, exported } = await this.exporter.export(parts);
    if (exported) metrics.clipExports.inc();
    return { path, bytes: (await stat(path)).size };
  }

  /** The time range an event's clip covers: the camera's pre-roll before the event to its post-roll after. */
  async eventRange(eventId: string): Promise<{ cameraId: string; from: number; to: number }> {
    const row = await this.options.store.getEvent(eventId);
    if (!row) throw notFound('event', eventId);
    const camera = await this.options.store.getCamera(row.event.cameraId);
    const recording = camera?.config.recording ?? DEFAULT_RECORDING;
    const t = row.event.wallTime;
    return { cameraId: row.event.cameraId, from: Math.max(0, t - recording.preRollSeconds * 1000), to: t + Math.max(recording.postRollSeconds * 1000, 1000) };
  }

  /** Deletes segments: rows first (so nothing lists a file that is gone), then files. Returns the bytes freed. */
  async deleteSegments(rows: readonly RecordingSegmentRow[], reason: DeletionReason): Promise<number> {
    if (rows.length === 0) return 0;
    const { store, metrics, log } = this.options;
    await store.deleteRecordingSegments(rows.map((row) => row.id));
    await this.files.delete(rows.map((row) => row.fileKey));
    const bytes = rows.reduce((sum, row) => sum + row.bytes, 0);
    metrics.recordingSegmentsDeleted.inc({ reason }, rows.length);
    metrics.recordingBytesDeleted.inc({ reason }, bytes);
    this.storedBytes = Math.max(0, this.storedBytes - bytes);
    metrics.recordingBytes.set(this.storedBytes);
    log.debug({ segments: rows.length, bytes, reason }, 'recording segments deleted');
    return bytes;
  }

  /** Deletes every segment of the cameras (a camera or its device was deleted). */
  async forgetCameras(cameraIds: readonly string[]): Promise<void> {
    for (const cameraId of cameraIds) {
      for (;;) {
        const rows = await this.options.store.oldestRecordingSegments({ cameraId, limit: 500 });
        if (rows.length === 0) break;
        await this.deleteSegments(rows, 'camera_removed');
      }
    }
  }

  private refused(reason: string, err: ApiError): ApiError {
    this.options.metrics.recordingUploadsRejected.inc({ reason });
    return err;
  }

  private duplicate(existing: RecordingSegmentRow, upload: RecordingSegmentUpload, deviceId: string): RecordingUploadResult & { status: number } {
    if (existing.cameraId !== upload.cameraId || existing.deviceId !== deviceId) {
      throw this.refused('id_conflict', new ApiError(409, 'conflict', `segment "${upload.id}" is already stored for another camera`, 'id'));
    }
    this.options.metrics.recordingSegmentDuplicates.inc();
    return { status: 200, stored: false, segment: toSegment(existing) };
  }
}

export function toSegment(row: RecordingSegmentRow): RecordingSegment {
  return {
    id: row.id,
    cameraId: row.cameraId,
    deviceId: row.deviceId,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    bytes: row.bytes,
  };
}
