import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { LiveRelay, type IceOptions, type ViewerFeedback } from '@sightline/media';
import {
  INPUT_CHANNELS,
  SessionStateReportSchema,
  StreamInputSchema,
  deviceTopics,
  type App,
  type EndReason,
  type Host,
  type HostSessionStats,
  type SessionCommand,
  type StreamSession,
  type StreamSessionState,
} from '@sightline/protocol';
import type { Store } from '../store/store.js';
import type { MediaTokens } from '../auth/media-token.js';
import { ApiError } from '../http/api-error.js';
import { AppCatalogue } from './app-catalogue.js';
import { BitrateAdapter, encodingFor } from './bitrate-adapter.js';
import { HostRegistry } from './host-registry.js';
import { chooseHost, hostFits } from './host-placement.js';
import { SessionRecorder } from './session-recorder.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export interface StreamingServiceOptions {
  store: Store;
  tokens: MediaTokens;
  log: Logger;
  ice: IceOptions;
  publish: (topic: string, payload: string) => Promise<void>;
  /** The hub's URL until a request says how it is called. */
  hubUrl: string;
  /** A player whose connection dropped may come back within this long. Default 60 s. */
  reconnectGraceMs?: number;
  /** From placing a session to the host saying it runs. Default 45 s. */
  startTimeoutMs?: number;
  /** A host with no heartbeat for this long gets no sessions, and its running ones end. Default 20 s. */
  hostStaleMs?: number;
  /** Ended sessions stay readable this long (recorded ones: 24 h, then their recording is deleted). Default 1 h. */
  keepEndedMs?: number;
  /** Where session recordings are written. */
  recordingsDir: string;
}

/** The resource id of a session's media tokens (a camera id never contains a colon). */
export const sessionMediaId = (sessionId: string) => `session:${sessionId}`;

interface SessionRecord {
  id: string;
  app: App;
  ownerId: string;
  state: StreamSessionState;
  hostId: string | null;
  endReason: EndReason | null;
  message: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  relay: LiveRelay | undefined;
  playerViewerId: string | undefined;
  spectators: Set<string>;
  adapter: BitrateAdapter;
  timer: NodeJS.Timeout | undefined;
  hostStats: HostSessionStats | null;
  record: boolean;
  recorder: SessionRecorder | undefined;
  /** Input forwarded to the host, and refused (not the player's, malformed). */
  input: { forwarded: number; refused: number };
}

export interface StreamingEvents {
  session: [session: StreamSession];
}

const ACTIVE: ReadonlySet<StreamSessionState> = new Set(['queued', 'starting', 'running', 'ending']);
const END_COMMAND_TIMEOUT_MS = 10_000;

/**
 * Cloud-streaming sessions: a player asks for an app, the hub places the session on a host with a free slot (or
 * queues it, first come first served, with its position), tells the host to start it, relays its video (one relay
 * per session: the player and any spectators are its viewers) and forwards the player's input, and only the player's,
 * to the host. Sessions live in memory: a hub restart ends them (hosts end sessions the hub no longer knows).
 */
export class StreamingService extends EventEmitter<StreamingEvents> {
  readonly apps: AppCatalogue;
  readonly hosts: HostRegistry;
  readonly #options: StreamingServiceOptions;
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #queue: string[] = [];
  /** Devices known to be hosts (a device's kind never changes; deleting one forgets it). */
  readonly #hostKinds = new Map<string, boolean>();
  readonly #sweep: NodeJS.Timeout;
  readonly #reconnectGraceMs: number;
  /** The hub's URL as players and hosts last called it (for URLs in descriptions and commands). */
  #lastHubUrl: string;
  #closed = false;

  constructor(options: StreamingServiceOptions) {
    super();
    this.setMaxListeners(0);
    this.#options = options;
    this.#reconnectGraceMs = options.reconnectGraceMs ?? 60_000;
    this.#lastHubUrl = options.hubUrl;
    this.apps = new AppCatalogue(options.store);
    this.hosts = new HostRegistry(options.hostStaleMs ?? 20_000);
    // Recordings of sessions from before a restart can no longer be reached (sessions live in memory).
    rmSync(options.recordingsDir, { recursive: true, force: true });
    this.#sweep = setInterval(() => this.#sweepHostsAndHistory(), 5000);
    this.#sweep.unref();
  }

  // --- players ---

  async create(appId: string, ownerId: string, hubUrl: string, options: { record?: boolean } = {}): Promise<StreamSession> {
    this.#assertOpen();
    const app = await this.apps.get(appId);
    const active = [...this.#sessions.values()].filter((s) => s.ownerId === ownerId && ACTIVE.has(s.state));
    const existing = active.find((s) => s.app.id === appId);
    if (existing) return this.describe(existing, hubUrl);
    // One session at a time per player: slots are shared by everyone.
    if (active.length > 0) {
      throw new ApiError(409, 'session_limit', `you already have a session of "${active[0]!.app.name}" (${active[0]!.id}); end it first`);
    }
    const record: SessionRecord = {
      id: randomUUID(),
      app,
      ownerId,
      state: 'queued',
      hostId: null,
      endReason: null,
      message: null,
      createdAt: Date.now(),
      startedAt: null,
      endedAt: null,
      relay: undefined,
      playerViewerId: undefined,
      spectators: new Set(),
      adapter: new BitrateAdapter({ maxKbps: app.bitrateKbps }),
      timer: undefined,
      input: { forwarded: 0, refused: 0 },
      hostStats: null,
      record: options.record ?? false,
      recorder: undefined,
    };
    this.#lastHubUrl = hubUrl;
    this.#sessions.set(record.id, record);
    this.#queue.push(record.id);
    this.#options.log.info({ sessionId: record.id, appId, ownerId }, 'streaming: session requested');
    await this.#schedule();
    if (record.state === 'queued') this.#changed(record);
    return this.describe(record, hubUrl);
  }

  /** The session, if `ownerId` owns it or `admin` is true; a 404 otherwise (another player's session is not disclosed). */
  get(sessionId: string, ownerId: string | undefined, admin: boolean, hubUrl: string): StreamSession {
    return this.describe(this.#owned(sessionId, ownerId, admin), hubUrl);
  }

  /** Any session, for a caller already authorized for it (its player, an admin, a spectate token). */
  describeById(sessionId: string, hubUrl: string): StreamSession {
    return this.describe(this.#require(sessionId), hubUrl);
  }

  list(ownerId: string | undefined, admin: boolean, hubUrl: string): StreamSession[] {
    return [...this.#sessions.values()]
      .filter((s) => admin || s.ownerId === ownerId)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((s) => this.describe(s, hubUrl));
  }

  isOwner(sessionId: string, ownerId: string | undefined): boolean {
    return ownerId !== undefined && this.#sessions.get(sessionId)?.ownerId === ownerId;
  }

  exists(sessionId: string): boolean {
    return this.#sessions.has(sessionId);
  }

  async end(sessionId: string, ownerId: string | undefined, admin: boolean): Promise<void> {
    const record = this.#owned(sessionId, ownerId, admin);
    await this.#end(record, record.state === 'queued' ? 'cancelled' : 'ended');
  }

  /** WHEP for the session's player: the viewer whose input reaches the app. A newer connection replaces the older. */
  async addPlayer(sessionId: string, offerSdp: string): Promise<{ viewerId: string; answerSdp: string }> {
    const record = this.#require(sessionId);
    const relay = this.#relayOf(record);
    const answer = await relay.addViewer(offerSdp);
    const previous = record.playerViewerId;
    record.playerViewerId = answer.viewerId;
    // While running, the only timer is the reconnect grace; the start and end timers must go on.
    if (record.state === 'running') this.#clearTimer(record);
    if (previous) await relay.removeViewer(previous);
    this.#options.log.info({ sessionId, viewerId: answer.viewerId, resumed: previous !== undefined }, 'streaming: player connected');
    return answer;
  }

  async addSpectator(sessionId: string, offerSdp: string): Promise<{ viewerId: string; answerSdp: string }> {
    const record = this.#require(sessionId);
    const answer = await this.#relayOf(record).addViewer(offerSdp);
    record.spectators.add(answer.viewerId);
    this.#changed(record);
    return answer;
  }

  /** A spectator may remove spectators only (it cannot know the player's id, but must not be able to use it either). */
  async removeViewer(sessionId: string, viewerId: string, role: 'player' | 'spectator'): Promise<boolean> {
    const record = this.#sessions.get(sessionId);
    if (!record?.relay) return false;
    const known = record.spectators.has(viewerId) || (role === 'player' && record.playerViewerId === viewerId);
    if (!known) return false;
    await record.relay.removeViewer(viewerId);
    return true;
  }

  // --- hosts ---

  /** WHIP from the session's host. */
  async acceptPublisher(sessionId: string, offerSdp: string): Promise<string> {
    const record = this.#require(sessionId);
    return this.#relayOf(record).acceptPublisher(offerSdp);
  }

  async removePublisher(sessionId: string): Promise<void> {
    await this.#sessions.get(sessionId)?.relay?.removePublisher();
  }

  async onHostHeartbeat(hostId: string, json: unknown): Promise<void> {
    if (!(await this.#isHost(hostId))) {
      this.#options.log.warn({ deviceId: hostId }, 'streaming: host heartbeat from a device that is not a host refused');
      return;
    }
    const heartbeat = this.hosts.record(hostId, json);
    if (typeof heartbeat === 'string') {
      this.#options.log.warn({ hostId, reason: heartbeat }, 'streaming: host heartbeat refused');
      return;
    }
    const reported = new Map(heartbeat.sessions.map((s) => [s.sessionId, s]));
    for (const [sessionId, state] of reported) {
      const record = this.#sessions.get(sessionId);
      if (!record || record.hostId !== hostId || record.state === 'ended') {
        // A session the hub does not know (it restarted) or has ended: nobody watches it any more.
        if (state.state !== 'ended') await this.#command(hostId, { action: 'end', sessionId, reason: record ? record.endReason ?? 'ended' : 'hub-restarted' });
      }
    }
    for (const record of this.#sessions.values()) {
      if (record.hostId !== hostId || record.state !== 'running') continue;
      const stats = reported.get(record.id)?.stats;
      if (!reported.has(record.id)) await this.#finish(record, 'host-lost', 'the host no longer runs this session');
      else if (stats) record.hostStats = stats;
    }
    await this.#schedule();
  }

  async onHostStatus(hostId: string, online: boolean): Promise<void> {
    if (online) return;
    this.hosts.setOffline(hostId);
    for (const record of this.#sessions.values()) {
      if (record.hostId === hostId && ACTIVE.has(record.state)) await this.#finish(record, 'host-lost', 'the host went offline');
    }
  }

  async onStateReport(hostId: string, json: unknown): Promise<void> {
    if (!(await this.#isHost(hostId))) return;
    const parsed = SessionStateReportSchema.safeParse(json);
    if (!parsed.success) {
      this.#options.log.warn({ hostId, reason: parsed.error.issues[0]?.message }, 'streaming: session state refused');
      return;
    }
    const report = parsed.data;
    const record = this.#sessions.get(report.sessionId);
    if (!record || record.hostId !== hostId) {
      if (report.state !== 'ended') await this.#command(hostId, { action: 'end', sessionId: report.sessionId, reason: 'hub-restarted' });
      return;
    }
    if (report.state === 'running' && record.state === 'starting') {
      record.state = 'running';
      record.startedAt = Date.now();
      this.#clearTimer(record);
      // A player who never connects leaves the host's slot taken for the grace period only.
      if (!record.playerViewerId) this.#startGrace(record);
      this.#options.log.info({ sessionId: record.id, hostId, startupMs: report.startupMs }, 'streaming: session running');
      this.#changed(record);
    } else if (report.state === 'ended') {
      await this.#finish(record, report.reason ?? 'ended', report.message ?? null);
    }
  }

  async forgetHost(hostId: string): Promise<void> {
    // Forgotten first: ending its sessions reschedules the queue, which must not pick this host again.
    this.hosts.forget(hostId);
    this.#hostKinds.delete(hostId);
    for (const record of this.#sessions.values()) {
      if (record.hostId === hostId && ACTIVE.has(record.state)) await this.#finish(record, 'host-lost', 'the host was deleted');
    }
  }

  /** Host messages count only from devices enrolled as hosts: an edge must not be able to pose as one. */
  async #isHost(deviceId: string): Promise<boolean> {
    let kind = this.#hostKinds.get(deviceId);
    if (kind === undefined) {
      kind = (await this.#options.store.getDevice(deviceId))?.kind === 'host';
      if (kind) this.#hostKinds.set(deviceId, kind);
    }
    return kind;
  }

  async listHosts(): Promise<Host[]> {
    const devices = (await this.#options.store.listDevices()).filter((d) => d.kind === 'host');
    return devices.map((device) => this.hosts.describe(device, this.#assignedTo(device.id)));
  }

  /** The finished recording of a session the caller may see, or a 404/409 saying why not. */
  recordingFile(sessionId: string, ownerId: string | undefined, admin: boolean): string {
    const record = this.#owned(sessionId, ownerId, admin);
    if (!record.recorder) throw new ApiError(404, 'not_found', `session ${sessionId} was not recorded`);
    if (record.recorder.state !== 'ready' || record.state !== 'ended') {
      throw new ApiError(409, 'recording_not_ready', `the recording of session ${sessionId} is ${record.state === 'ended' ? record.recorder.state : 'still running'}`);
    }
    return record.recorder.file;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const record of this.#sessions.values()) {
      if (ACTIVE.has(record.state)) await this.#finish(record, 'hub-restarted', 'the hub shut down', true);
    }
    // Recordings being written are finished (made into their MP4) before the hub goes.
    await Promise.allSettled([...this.#sessions.values()].map((record) => record.recorder?.finish()));
  }

  describe(record: SessionRecord, hubUrl: string): StreamSession {
    const position = record.state === 'queued' ? this.#queue.indexOf(record.id) + 1 : 0;
    return {
      id: record.id,
      appId: record.app.id,
      appName: record.app.name,
      state: record.state,
      queuePosition: position > 0 ? position : null,
      hostId: record.hostId,
      endReason: record.endReason,
      message: record.message,
      createdAt: record.createdAt,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      whepUrl: `${hubUrl}/api/v1/sessions/${record.id}/whep`,
      width: record.app.width,
      height: record.app.height,
      fps: record.app.fps,
      inputProfile: record.app.inputProfile,
      gamepadKeys: record.app.gamepadKeys ?? null,
      reconnectGraceMs: this.#reconnectGraceMs,
      spectators: record.spectators.size,
      hostStats: record.state === 'running' ? record.hostStats : null,
      recording: record.recorder?.state ?? 'off',
    };
  }

  // --- internals ---

  async #schedule(): Promise<void> {
    if (this.#closed) return;
    let placedAny = false;
    for (const sessionId of [...this.#queue]) {
      const record = this.#sessions.get(sessionId);
      if (!record || record.state !== 'queued') continue;
      const candidates = this.hosts.available().map((h) => ({ hostId: h.hostId, capacity: h.capacity, assigned: this.#assignedTo(h.hostId) }));
      if (!candidates.some((c) => hostFits(record.app, c.capacity))) {
        record.message = candidates.length === 0 ? 'waiting for a streaming host' : `no host can run ${record.app.width}×${record.app.height} at ${record.app.fps} fps with ${record.app.codec}`;
      }
      const hostId = chooseHost(record.app, candidates);
      if (!hostId) continue; // a smaller app further back may still fit somewhere
      this.#queue.splice(this.#queue.indexOf(sessionId), 1);
      placedAny = true;
      await this.#place(record, hostId);
    }
    if (placedAny) for (const id of this.#queue) this.#changed(this.#sessions.get(id)!);
  }

  async #place(record: SessionRecord, hostId: string): Promise<void> {
    record.state = 'starting';
    record.hostId = hostId;
    record.message = null;
    const ttlMs = (record.app.maxDurationSeconds + 3600) * 1000;
    const { token } = this.#options.tokens.issue(sessionMediaId(record.id), 'publish', ttlMs);
    this.#relayOf(record);
    const timeoutMs = this.#options.startTimeoutMs ?? 45_000;
    record.timer = setTimeout(() => void this.#end(record, 'start-failed', `the host did not start the session within ${timeoutMs / 1000} s`), timeoutMs);
    record.timer.unref();
    this.#options.log.info({ sessionId: record.id, hostId, appId: record.app.id }, 'streaming: session placed');
    this.#changed(record);
    await this.#command(hostId, {
      action: 'start',
      sessionId: record.id,
      app: record.app,
      playerId: record.ownerId,
      whipUrl: `${this.#lastHubUrl}/api/v1/sessions/${record.id}/whip`,
      token,
      iceServers: (this.#options.ice.iceServers ?? []).map((s) => ({ ...s })),
    });
  }

  async #end(record: SessionRecord, reason: EndReason, message?: string): Promise<void> {
    if (!ACTIVE.has(record.state) || record.state === 'ending') return;
    if (record.state === 'queued' || record.hostId === null) {
      await this.#finish(record, reason, message ?? null);
      return;
    }
    record.state = 'ending';
    record.endReason = reason;
    record.message = message ?? null;
    this.#clearTimer(record);
    // The host confirms with an `ended` report; a host that says nothing is not waited for long.
    record.timer = setTimeout(() => void this.#finish(record, reason, message ?? null), END_COMMAND_TIMEOUT_MS);
    record.timer.unref();
    this.#changed(record);
    await this.#command(record.hostId, { action: 'end', sessionId: record.id, reason });
  }

  async #finish(record: SessionRecord, reason: EndReason, message: string | null, shuttingDown = false): Promise<void> {
    if (record.state === 'ended') return;
    const hostId = record.hostId;
    const wasOnHost = hostId !== null && record.state !== 'queued' && record.state !== 'ending';
    record.state = 'ended';
    record.endReason = record.endReason ?? reason;
    record.message = record.message ?? message;
    record.endedAt = Date.now();
    this.#clearTimer(record);
    const queued = this.#queue.indexOf(record.id);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      // Everyone behind moves up a place.
      for (const id of this.#queue.slice(queued)) this.#changed(this.#sessions.get(id)!);
    }
    const relay = record.relay;
    record.relay = undefined;
    record.playerViewerId = undefined;
    record.spectators.clear();
    this.#options.log.info({ sessionId: record.id, hostId, reason: record.endReason, message: record.message, input: record.input }, 'streaming: session ended');
    this.#changed(record);
    if (record.recorder) {
      // Finished before the relay closes, and announced again once the MP4 is there.
      void record.recorder
        .finish()
        .then(() => this.#changed(record))
        .catch((err: unknown) => this.#options.log.warn({ err, sessionId: record.id }, 'streaming: recording not finished'));
    }
    await relay?.close();
    // Ended on the hub's side while the host still runs it (player left, host timed out on us): make sure it stops.
    if (wasOnHost && hostId && reason !== 'host-lost' && !shuttingDown) {
      await this.#command(hostId, { action: 'end', sessionId: record.id, reason: record.endReason });
    }
    if (!shuttingDown) await this.#schedule();
  }

  #relayOf(record: SessionRecord): LiveRelay {
    if (record.state === 'ended' || record.state === 'queued') {
      throw new ApiError(409, 'session_not_running', `session ${record.id} is ${record.state}`);
    }
    if (record.relay) return record.relay;
    const relay = new LiveRelay({ id: `session-${record.id}`, ice: this.#options.ice, pliMinIntervalMs: 300, log: this.#options.log });
    relay.on('viewer-message', (viewerId, label, data) => this.#onInput(record, viewerId, label, data));
    relay.on('viewer-feedback', (viewerId, feedback) => this.#onFeedback(record, viewerId, feedback));
    relay.on('viewer-removed', (viewerId) => this.#onViewerRemoved(record, viewerId));
    record.relay = relay;
    if (record.record) record.recorder = new SessionRecorder(relay, join(this.#options.recordingsDir, record.id), this.#options.log);
    return relay;
  }

  #onInput(record: SessionRecord, viewerId: string, label: string, data: string | Buffer): void {
    // Input for a session's display comes from its player's connection only; spectators' channels go nowhere.
    if (viewerId !== record.playerViewerId || (label !== INPUT_CHANNELS.reliable && label !== INPUT_CHANNELS.pointer)) {
      record.input.refused++;
      return;
    }
    const text = typeof data === 'string' ? data : data.toString('utf8');
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      record.input.refused++;
      return;
    }
    if (!StreamInputSchema.safeParse(message).success) {
      record.input.refused++;
      return;
    }
    if (record.relay?.sendToPublisher(label, text)) record.input.forwarded++;
    else record.input.refused++;
  }

  #onFeedback(record: SessionRecord, viewerId: string, feedback: ViewerFeedback): void {
    if (viewerId !== record.playerViewerId || record.state !== 'running' || !record.hostId) return;
    const target = record.adapter.onFeedback(feedback);
    if (target === undefined) return;
    const encoding = encodingFor(target, record.app);
    this.#options.log.info({ sessionId: record.id, ...encoding }, 'streaming: adapting to the network');
    void this.#command(record.hostId, { action: 'target', sessionId: record.id, ...encoding });
  }

  #onViewerRemoved(record: SessionRecord, viewerId: string): void {
    if (record.spectators.delete(viewerId)) {
      this.#changed(record);
      return;
    }
    if (viewerId !== record.playerViewerId) return;
    record.playerViewerId = undefined;
    if (record.state !== 'running' || !record.hostId) return;
    void this.#command(record.hostId, { action: 'release-input', sessionId: record.id });
    this.#startGrace(record);
  }

  #startGrace(record: SessionRecord): void {
    this.#clearTimer(record);
    record.timer = setTimeout(() => void this.#end(record, 'player-left', 'the player did not come back'), this.#reconnectGraceMs);
    record.timer.unref();
  }

  #clearTimer(record: SessionRecord): void {
    clearTimeout(record.timer);
    record.timer = undefined;
  }

  #assignedTo(hostId: string): number {
    let count = 0;
    for (const record of this.#sessions.values()) if (record.hostId === hostId && ACTIVE.has(record.state)) count++;
    return count;
  }

  async #command(hostId: string, command: SessionCommand): Promise<void> {
    try {
      await this.#options.publish(deviceTopics(hostId).sessions, JSON.stringify(command));
    } catch (err) {
      this.#options.log.warn({ err, hostId, action: command.action }, 'streaming: command to host failed');
    }
  }

  #changed(record: SessionRecord): void {
    this.emit('session', this.describe(record, this.#lastHubUrl));
  }

  #owned(sessionId: string, ownerId: string | undefined, admin: boolean): SessionRecord {
    const record = this.#sessions.get(sessionId);
    if (!record || (!admin && record.ownerId !== ownerId)) throw new ApiError(404, 'not_found', `session "${sessionId}" does not exist`);
    return record;
  }

  #require(sessionId: string): SessionRecord {
    const record = this.#sessions.get(sessionId);
    if (!record) throw new ApiError(404, 'not_found', `session "${sessionId}" does not exist`);
    return record;
  }

  #sweepHostsAndHistory(): void {
    const now = Date.now();
    for (const hostId of this.hosts.stale(now)) {
      for (const record of this.#sessions.values()) {
        if (record.hostId === hostId && ACTIVE.has(record.state)) void this.#finish(record, 'host-lost', 'no heartbeat from the host');
      }
    }
    const keepMs = this.#options.keepEndedMs ?? 3_600_000;
    for (const [id, record] of this.#sessions) {
      const keep = record.recorder ? Math.max(keepMs, 24 * 3_600_000) : keepMs;
      if (record.state === 'ended' && record.endedAt !== null && now - record.endedAt > keep) {
        this.#sessions.delete(id);
        void record.recorder?.remove().catch((err: unknown) => this.#options.log.warn({ err, sessionId: id }, 'streaming: recording not removed'));
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new ApiError(503, 'shutting_down', 'the hub is shutting down');
  }
}
