import { z } from 'zod';
import { SightlineEventSchema } from './event.js';
import { CameraRunStateSchema, ResourceIdSchema } from './fleet.js';

/**
 * MQTT topics, all under one device's prefix so a broker ACL can confine a device to its own subtree:
 *   sightline/v1/devices/{deviceId}/events          edge → hub  EventBatch (QoS 1)
 *   sightline/v1/devices/{deviceId}/events/ack      hub → edge  EventAck (QoS 1), after the batch is committed
 *   sightline/v1/devices/{deviceId}/heartbeat       edge → hub  Heartbeat
 *   sightline/v1/devices/{deviceId}/status          edge → hub  DeviceStatus (retained; also the last will)
 *   sightline/v1/devices/{deviceId}/config          hub → edge  DeviceConfig (retained)
 *   sightline/v1/devices/{deviceId}/config/applied  edge → hub  ConfigApplied
 *   sightline/v1/devices/{deviceId}/live            hub → edge  LiveCommand (QoS 1): start or stop publishing a camera
 *   sightline/v1/devices/{deviceId}/live/overlay    edge → hub  LiveOverlayFrame (QoS 0), while a camera is published
 * and, for streaming hosts (see streaming.ts), host/heartbeat, sessions and sessions/state.
 */
export const TOPIC_ROOT = 'sightline/v1/devices';

export const deviceTopics = (deviceId: string) => {
  const base = `${TOPIC_ROOT}/${deviceId}`;
  return {
    base,
    events: `${base}/events`,
    eventsAck: `${base}/events/ack`,
    heartbeat: `${base}/heartbeat`,
    status: `${base}/status`,
    config: `${base}/config`,
    configApplied: `${base}/config/applied`,
    live: `${base}/live`,
    liveOverlay: `${base}/live/overlay`,
    hostHeartbeat: `${base}/host/heartbeat`,
    sessions: `${base}/sessions`,
    sessionsState: `${base}/sessions/state`,
  } as const;
};

/** The device id of a topic under TOPIC_ROOT, or undefined for any other topic. */
export function deviceIdOfTopic(topic: string): string | undefined {
  if (!topic.startsWith(`${TOPIC_ROOT}/`)) return undefined;
  const id = topic.slice(TOPIC_ROOT.length + 1).split('/')[0];
  return id && ResourceIdSchema.safeParse(id).success ? id : undefined;
}

/** A JPEG attached to an event: a crop of the object, or the whole frame downscaled. */
export const SnapshotSchema = z.object({
  eventId: z.string().uuid(),
  kind: z.enum(['crop', 'frame']),
  width: z.number().int().positive().max(8192),
  height: z.number().int().positive().max(8192),
  /** Base64 JPEG. */
  jpeg: z.string().min(4).max(2_000_000),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

export const EventBatchSchema = z.object({
  batchId: z.string().uuid(),
  deviceId: ResourceIdSchema,
  events: z.array(SightlineEventSchema).max(5000),
  snapshots: z.array(SnapshotSchema).max(200).default([]),
});
export type EventBatch = z.infer<typeof EventBatchSchema>;

/** Sent only after the hub has committed the batch; `ids` lists every event now stored (new or already known). */
export const EventAckSchema = z.object({
  batchId: z.string().uuid(),
  ids: z.array(z.string().uuid()),
  committedAt: z.number().int().nonnegative(),
});
export type EventAck = z.infer<typeof EventAckSchema>;

export const CameraHealthSchema = z.object({
  cameraId: ResourceIdSchema,
  state: CameraRunStateSchema,
  message: z.string().max(2000).optional(),
  fps: z.number().nonnegative(),
  droppedFrames: z.number().int().nonnegative(),
  inferenceMs: z.number().nonnegative(),
});
export type CameraHealth = z.infer<typeof CameraHealthSchema>;

export const HeartbeatSchema = z.object({
  deviceId: ResourceIdSchema,
  ts: z.number().int().nonnegative(),
  version: z.string().max(64),
  configVersion: z.number().int().nonnegative().nullable(),
  cpuPercent: z.number().nonnegative(),
  memoryBytes: z.number().int().nonnegative(),
  cameras: z.array(CameraHealthSchema),
  outbox: z.object({
    pending: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    /** Events dropped because the outbox went over its disk budget, since the device started counting. */
    dropped: z.number().int().nonnegative(),
    /** Events the hub left out of its acks several times (invalid) and the outbox gave up on. */
    refused: z.number().int().nonnegative().default(0),
  }),
  /** Recorded segments waiting for the hub, and those dropped past the disk budget or refused by the hub. */
  recordings: z
    .object({
      pending: z.number().int().nonnegative(),
      bytes: z.number().int().nonnegative(),
      dropped: z.number().int().nonnegative(),
      refused: z.number().int().nonnegative(),
    })
    .optional(),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

export const DeviceStatusSchema = z.object({
  online: z.boolean(),
  ts: z.number().int().nonnegative(),
});
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;

export const ConfigAppliedSchema = z.object({
  version: z.number().int().nonnegative(),
  ok: z.boolean(),
  errors: z.array(z.object({ cameraId: z.string().optional(), path: z.string(), message: z.string() })).default([]),
});
export type ConfigApplied = z.infer<typeof ConfigAppliedSchema>;


/**
 * The hub asks an edge to publish a camera's live video (someone is watching) or to stop (the last viewer left and
 * the grace period passed). `whipUrl` and `token` are where and how to publish: the token is short-lived and allows
 * publishing that one camera only.
 */
export const IceServerSchema = z.object({
  urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServerSchema>;

export const LiveCommandSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('start'),
    cameraId: ResourceIdSchema,
    whipUrl: z.string().url(),
    token: z.string().min(10).max(2000),
    expiresAt: z.number().int().nonnegative(),
    /** STUN/TURN servers the hub is configured with, so the edge can reach it across NATs too. */
    iceServers: z.array(IceServerSchema).max(10).default([]),
  }),
  z.object({ action: z.literal('stop'), cameraId: ResourceIdSchema }),
]);
export type LiveCommand = z.infer<typeof LiveCommandSchema>;
