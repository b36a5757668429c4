/** What the bench's main process and its load-generator child process say to each other over IPC. */

export interface DeviceLogin {
  deviceId: string;
  mqtt: { url: string; username: string; password: string };
}

export interface GeneratorSettings {
  apiUrl: string;
  apiKey: string;
  devices: DeviceLogin[];
  batchMin: number;
  batchMax: number;
  window: number;
  pollMs: number;
  snapshotShare: number;
}

export type ToGenerator =
  | { type: 'init'; settings: GeneratorSettings }
  | { type: 'step'; rate: number; seconds: number }
  | { type: 'close' };

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface StepResult {
  rate: number;
  seconds: number;
  /** Events due by the schedule during the step. */
  offeredEvents: number;
  /** Events published during the step (the rest waited for a window slot and were dropped at its end). */
  publishedEvents: number;
  /** Events whose ack arrived during the step, the basis of the committed rate. */
  ackedInStep: number;
  /** Events acknowledged at all, the step's and the drain's. */
  ackedTotal: number;
  /** From the step's start to the last ack of its events: ackedTotal over this is the committed rate. */
  committedSeconds: number;
  batchesPublished: number;
  meanBatchEvents: number;
  meanEventBytes: number;
  /** Publish → EventAck received, ms. */
  ack: Percentiles;
  /** Publish → the batch's newest event returned by GET /api/v1/events, ms. */
  visible: Percentiles;
  /** When the schedule wanted the batch sent → visible, ms: adds the wait for a window slot. */
  dueToVisible: Percentiles;
  /** Samples that were not visible by the end of the drain. */
  neverVisible: number;
  pollRequests: number;
  generatorCpuMs: number;
}

export type FromGenerator =
  | { type: 'ready' }
  | { type: 'step-load-ended' }
  | { type: 'step-result'; result: StepResult }
  | { type: 'error'; message: string };
