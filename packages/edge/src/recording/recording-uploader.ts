import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Backoff } from '@sightline/media';
import { RECORDING_SEGMENT_MAX_BYTES } from '@sightline/protocol';
import type { DeviceCredentials } from '@sightline/device';
import type { RecordingLog } from './segment-recorder.js';
import { SegmentIndex, type LocalSegment, type SegmentCounters } from './segment-index.js';

export interface RecordingUploaderOptions {
  /** The hub's URL and this device's MQTT login, which the hub also accepts over HTTP (Basic) for uploads. */
  hub: { url: string; deviceId: string; password: string };
  /** Where the segment index lives (`recordings.sqlite`). */
  dir: string;
  /** Most bytes of segments kept on disk; past it the oldest are deleted unsent and counted. Default 2 GiB. */
  budgetBytes?: number;
  log: RecordingLog;
  retryBackoff?: { initialDelayMs?: number; maxDelayMs?: number };
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface RecordingUploaderStats extends SegmentCounters {
  pending: number;
  pendingBytes: number;
  buffered: number;
  /** Bytes of all segments on disk (pending and buffered). */
  bytes: number;
  /** Why the last upload failed, while uploads are failing. */
  lastError: string | undefined;
}

type Outcome = 'stored' | 'refused' | 'missing' | 'retry';

/** No event is marked this late: a buffered segment this old is a leftover. */
const STALE_BUFFERED_MS = 3_600_000;

/** Answers that will not change however often the segment is sent again. */
const PERMANENT_REFUSALS = new Set([400, 403, 404, 409, 413, 415]);

/**
 * Sends recorded segments to the hub, one at a time in the order they were queued, and deletes each file only when
 * the hub has stored it (200 or 201; the hub ignores an id it already has, so a resend after a lost answer is
 * harmless). While the hub is unreachable or failing it retries with backoff and the segments wait on disk, within
 * a byte budget: past it the oldest segments are deleted unsent and counted in `dropped`. One uploader serves all
 * cameras of the device; everything it knows is in a SQLite index, so a restart resumes where it stopped.
 */
export class RecordingUploader {
  readonly index: SegmentIndex;
  private readonly backoff: Backoff;
  private readonly budgetBytes: number;
  private readonly fetchImpl: typeof fetch;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Resolves the wait for new work. */
  private wake: (() => void) | undefined;
  /** Cuts a retry pause short; only stop() does, so new segments do not defeat the backoff. */
  private interrupt: (() => void) | undefined;
  private inFlight: { id: string; abort: AbortController } | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: RecordingUploaderOptions) {
    this.index = SegmentIndex.open(join(options.dir, 'recordings.sqlite'));
    this.backoff = new Backoff({ initialDelayMs: 1000, maxDelayMs: 30_000, ...options.retryBackoff });
    this.budgetBytes = options.budgetBytes ?? 2 * 1024 ** 3;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** An uploader for the device whose enrollment is `credentials` (credentials.json). */
  static forDevice(credentials: DeviceCredentials, options: Omit<RecordingUploaderOptions, 'hub'>): RecordingUploader {
    return new RecordingUploader({ ...options, hub: { url: credentials.hubUrl, deviceId: credentials.mqtt.username, password: credentials.mqtt.password } });
  }

  /** Starts uploading; buffered segments left from cameras no longer recorded (older than an hour) are deleted. */
  start(): void {
    if (this.running) return;
    this.discard(this.index.bufferedBefore(Date.now() - STALE_BUFFERED_MS));
    this.running = this.loop();
  }

  /** Stops uploading (an upload in flight is abandoned and sent again next time) and closes the index. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.inFlight?.abort.abort();
    this.wake?.();
    this.interrupt?.();
    await this.running;
    this.index.close();
  }

  /** Lists a finished segment: `pending` to upload it, `buffered` to keep it until an event decides. */
  add(segment: Omit<LocalSegment, 'state'>, state: LocalSegment['state']): void {
    if (this.stopped) return;
    this.index.add({ ...segment, state });
    this.enforceBudget();
    if (state === 'pending') this.wake?.();
  }

  /** Buffered segments an event wants: queued for upload behind what is already pending. */
  promote(ids: readonly string[]): void {
    if (this.stopped || ids.length === 0) return;
    if (this.index.markPending(ids) > 0) this.wake?.();
  }

  /** Buffered segments nobody wants (older than any pre-roll): deleted with their files. */
  discard(segments: readonly LocalSegment[]): void {
    if (this.stopped) return;
    for (const segment of segments) {
      if (segment.id === this.inFlight?.id) continue;
      this.index.remove(segment.id);
      rmSync(segment.path, { force: true });
    }
  }

  /** One camera's segments on disk, pending and buffered, oldest first. */
  segmentsOf(cameraId: string): LocalSegment[] {
    return this.stopped ? [] : this.index.ofCamera(cameraId);
  }

  get stats(): RecordingUploaderStats {
    return { ...this.index.totals(), ...this.index.counters(), lastError: this.lastError };
  }

  /** Segments deleted unsent over the disk budget, ever: what the agent reports. */
  get dropped(): number {
    return this.index.counters().dropped;
  }

  private enforceBudget(): void {
    let { bytes } = this.index.totals();
    if (bytes <= this.budgetBytes) return;
    let dropped = 0;
    let droppedBytes = 0;
    while (bytes > this.budgetBytes) {
      const victims = this.index.oldest(32).filter((s) => s.id !== this.inFlight?.id);
      if (victims.length === 0) break;
      for (const victim of victims) {
        if (bytes <= this.budgetBytes) break;
        this.index.remove(victim.id);
        rmSync(victim.path, { force: true });
        bytes -= victim.bytes;
        dropped++;
        droppedBytes += victim.bytes;
      }
    }
    if (dropped === 0) return;
    this.index.count('dropped', dropped);
    this.index.count('droppedBytes', droppedBytes);
    this.options.log.warn({ dropped, droppedBytes, budgetBytes: this.budgetBytes }, 'recording disk budget full: oldest segments deleted unsent');
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const next = this.index.nextPending();
      if (!next) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const outcome = await this.upload(next);
      if (this.stopped) return;
      if (outcome === 'retry') {
        await this.pause(this.backoff.next());
        continue;
      }
      this.backoff.reset();
      this.lastError = undefined;
      this.index.remove(next.id);
      rmSync(next.path, { force: true });
      if (outcome === 'stored') {
        this.index.count('uploaded');
        this.index.count('uploadedBytes', next.bytes);
      } else if (outcome === 'refused') {
        this.index.count('refused');
      } else {
        this.index.count('dropped');
        this.index.count('droppedBytes', next.bytes);
      }
    }
  }

  private async upload(segment: LocalSegment): Promise<Outcome> {
    const { log, hub } = this.options;
    let body: Buffer;
    try {
      body = await readFile(segment.path);
    } catch {
      log.warn({ segmentId: segment.id, path: segment.path }, 'recording segment file is gone; dropping it');
      return 'missing';
    }
    if (body.length > RECORDING_SEGMENT_MAX_BYTES) {
      log.warn({ segmentId: segment.id, bytes: body.length }, 'recording segment larger than the hub accepts; dropping it');
      return 'refused';
    }
    const query = new URLSearchParams({ cameraId: segment.cameraId, startedAt: String(segment.startedAt), durationMs: String(segment.durationMs) });
    const url = `${hub.url.replace(/\/+$/, '')}/api/v1/recordings/segments/${segment.id}?${query}`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.options.requestTimeoutMs ?? 60_000);
    this.inFlight = { id: segment.id, abort };
    try {
      const response = await this.fetchImpl(url, {
        method: 'PUT',
        headers: {
          authorization: `Basic ${Buffer.from(`${hub.deviceId}:${hub.password}`).toString('base64')}`,
          'content-type': 'video/mp4',
        },
        body,
        signal: abort.signal,
      });
      const text = await response.text().catch(() => '');
      if (response.status === 200 || response.status === 201) return 'stored';
      const message = `hub answered ${response.status}: ${text.slice(0, 300)}`;
      if (PERMANENT_REFUSALS.has(response.status)) {
        log.warn({ segmentId: segment.id, cameraId: segment.cameraId, status: response.status, answer: text.slice(0, 300) }, 'hub refused a recording segment; dropping it');
        return 'refused';
      }
      this.failed(message);
      return 'retry';
    } catch (err) {
      this.failed(`upload failed: ${(err as Error).message}`);
      return 'retry';
    } finally {
      clearTimeout(timer);
      this.inFlight = undefined;
    }
  }

  private failed(message: string): void {
    if (message !== this.lastError) this.options.log.warn({ error: message }, 'recording upload failed; retrying with backoff');
    this.lastError = message;
  }

  /** Waits `ms`, or less if the uploader stops. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.interrupt = done;
    }).then(() => {
      this.interrupt = undefined;
    });
  }
}
