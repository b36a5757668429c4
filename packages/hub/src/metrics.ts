import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The hub's Prometheus metrics, in a registry of its own so several hubs in one process (tests) don't collide. */
export class HubMetrics {
  readonly registry = new Registry();
  readonly eventsIngested = new Counter({ name: 'sightline_events_ingested_total', help: 'Events newly stored', registers: [this.registry] });
  readonly eventDuplicates = new Counter({
    name: 'sightline_event_duplicates_total',
    help: 'Redelivered events ignored because their id was already stored',
    registers: [this.registry],
  });
  readonly ingestLag = new Histogram({
    name: 'sightline_ingest_lag_seconds',
    help: 'From the event wall-clock time on the edge to its commit in the hub',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600],
    registers: [this.registry],
  });
  readonly batchesRejected = new Counter({
    name: 'sightline_mqtt_messages_rejected_total',
    help: 'Device messages refused (malformed, oversized, wrong topic)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly devicesOnline = new Gauge({ name: 'sightline_devices_online', help: 'Devices currently online', registers: [this.registry] });
  readonly outboxDropped = new Gauge({
    name: 'sightline_device_outbox_dropped_events',
    help: 'Events a device dropped over its outbox disk budget, as last reported',
    labelNames: ['device'],
    registers: [this.registry],
  });
  readonly apiLatency = new Histogram({
    name: 'sightline_http_request_duration_seconds',
    help: 'API latency by route',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly recordingBytes = new Gauge({
    name: 'sightline_recording_bytes',
    help: 'Bytes of recording segments stored',
    registers: [this.registry],
  });
  readonly recordingSegmentsUploaded = new Counter({
    name: 'sightline_recording_segments_uploaded_total',
    help: 'Recording segments newly stored',
    registers: [this.registry],
  });
  readonly recordingUploadedBytes = new Counter({
    name: 'sightline_recording_uploaded_bytes_total',
    help: 'Bytes of recording segments newly stored',
    registers: [this.registry],
  });
  readonly recordingSegmentDuplicates = new Counter({
    name: 'sightline_recording_segment_duplicates_total',
    help: 'Segment uploads ignored because their id was already stored',
    registers: [this.registry],
  });
  readonly recordingUploadsRejected = new Counter({
    name: 'sightline_recording_uploads_rejected_total',
    help: 'Segment uploads refused (not an mp4, too large, foreign or unknown camera, bad parameters)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly recordingSegmentsDeleted = new Counter({
    name: 'sightline_recording_segments_deleted_total',
    help: 'Recording segments deleted: retain_days (per-camera age), size_budget (hub-wide bytes), camera_removed',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly recordingBytesDeleted = new Counter({
    name: 'sightline_recording_deleted_bytes_total',
    help: 'Bytes of recording segments deleted, by the same reasons',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly clipExports = new Counter({
    name: 'sightline_recording_clip_exports_total',
    help: 'MP4 clips assembled from recordings (cache misses)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sightline_hub_' });
  }
}
