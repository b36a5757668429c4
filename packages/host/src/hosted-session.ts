import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { FeedRtpSource, WhipClient, type IceOptions } from '@sightline/media';
import {
  CreateAppRequestSchema,
  INPUT_CHANNELS,
  parseOrThrow,
  type CreateAppRequest,
  POINTER_CHANNEL_LIFETIME_MS,
  StreamInputSchema,
  type EncoderInfo,
  type EndReason,
  type HostSessionStats,
  type SessionCommand,
  type SessionStateReport,
  type StreamInput,
} from '@sightline/protocol';
import { StreamSession, type RunAsOption } from '@sightline/streaming';
import { GamepadKeys } from './gamepad-keys.js';
import { ProcessCpuMeter } from './process-cpu.js';

export type StartCommand = Extract<SessionCommand, { action: 'start' }>;

/**
 * `{host-apps}` in an app's command or arguments names the directory of the apps that ship with the host (the test
 * game page): the hub's catalogue cannot know where a host is installed. `{width}` and `{height}` are the session's
 * picture size (a browser in kiosk mode has no window manager to make it full screen).
 */
export const HOST_APPS_PLACEHOLDER = '{host-apps}';
export const HOST_APPS_DIR = fileURLToPath(new URL('../catalogue', import.meta.url));

/** The test catalogue that ships with the host (the key game page, Debian's xjump), validated. */
export function testCatalogue(): CreateAppRequest[] {
  const path = join(HOST_APPS_DIR, 'test-apps.json');
  return parseOrThrow(z.array(CreateAppRequestSchema), JSON.parse(readFileSync(path, 'utf8')), path);
}

export function expandPlaceholders(text: string, app: { width: number; height: number }): string {
  return text.replaceAll(HOST_APPS_PLACEHOLDER, HOST_APPS_DIR).replaceAll('{width}', String(app.width)).replaceAll('{height}', String(app.height));
}

export interface HostedSessionOptions {
  command: StartCommand;
  /** Where the host keeps players' save data (`saves/<player hash>/app-<id>`). */
  dataDir: string;
  /** The hub as this host reaches it: the session is published there, whatever URL the hub thinks it has. */
  hubUrl: string;
  /** STUN/TURN from the hub's command are added; `loopbackOnly` keeps ICE on 127.0.0.1 (tests). */
  ice: IceOptions;
  runAs?: RunAsOption;
  /** The host's usable encoders: a hardware one the capture supports is preferred for the app's codec. */
  encoders?: readonly EncoderInfo[];
  log: Logger;
}

/** The hardware encoders ScreenCapture knows how to drive. */
const CAPTURE_HARDWARE_ENCODERS: ReadonlySet<string> = new Set(['h264_nvenc', 'h264_vaapi']);
/** From the first picture to the hub's answer and a connected peer. */
const PUBLISH_TIMEOUT_MS = 20_000;

interface HostedSessionEvents {
  report: [report: SessionStateReport];
  /** A valid input message from the player, as it arrived (before it is injected). */
  input: [message: StreamInput];
}

/**
 * One session as the host runs it: the StreamSession (display, app, capture, input), published to the hub over WHIP
 * with the two input data channels, whose messages go to the session's display only. Reports `running` once the
 * first picture is published and `ended` (with the reason) once everything is gone.
 */
export class HostedSession extends EventEmitter<HostedSessionEvents> {
  readonly id: string;
  readonly #options: HostedSessionOptions;
  readonly #session: StreamSession;
  readonly #gamepad: GamepadKeys;
  readonly #cpu = new ProcessCpuMeter();
  #client: WhipClient | undefined;
  #ending: Promise<void> | undefined;
  #endReason: EndReason | undefined;
  #state: 'starting' | 'running' | 'ending' | 'ended' = 'starting';
  #input = { applied: 0, refused: 0 };
  #lastBytes = { bytes: 0, at: performance.now() };

  constructor(options: HostedSessionOptions) {
    super();
    this.#options = options;
    const { app, sessionId, playerId } = options.command;
    this.id = sessionId;
    this.#gamepad = new GamepadKeys(app.gamepadKeys);
    this.#session = new StreamSession({
      app: {
        command: expandPlaceholders(app.command, app),
        args: app.args.map((arg) => expandPlaceholders(arg, app)),
        env: app.env,
        saveDataDir: app.saveData ? saveDataDirOf(options.dataDir, playerId, app.id) : undefined,
      },
      width: app.width,
      height: app.height,
      fps: app.fps,
      bitrateKbps: app.bitrateKbps,
      codec: app.codec,
      encoder: options.encoders?.find((e) => e.codec === app.codec && e.hardware && CAPTURE_HARDWARE_ENCODERS.has(e.encoder))?.encoder as
        | 'h264_nvenc'
        | 'h264_vaapi'
        | undefined,
      runAs: options.runAs,
      idleTimeoutMs: app.idleTimeoutSeconds * 1000,
      maxDurationMs: app.maxDurationSeconds * 1000,
      // Pointer-lock games draw their own cursor; for the others the X pointer is part of the picture.
      drawCursor: app.inputProfile !== 'pointer-lock',
      log: options.log,
    });
    this.#session.on('ended', (reason) => void this.end(reason));
  }

  get state(): 'starting' | 'running' | 'ending' | 'ended' {
    return this.#state;
  }

  get pids(): number[] {
    const pids = this.#session.pids;
    return [pids.xvfb, ...pids.app, ...pids.ffmpeg].filter((pid): pid is number => pid !== undefined);
  }

  /** The X display number of the session (its socket is /tmp/.X11-unix/X<n>). */
  get displayNumber(): number {
    return this.#session.display.number;
  }

  get inputCounters(): { applied: number; refused: number } {
    return { ...this.#input };
  }

  async start(): Promise<void> {
    const { command, log } = this.#options;
    try {
      await this.#session.start();
      if (this.#ending) return;
      // Appended, not resolved: a hub behind a reverse proxy may live under a path.
      const whipUrl = `${this.#options.hubUrl.replace(/\/$/, '')}/api/v1/sessions/${command.sessionId}/whip`;
      const client = new WhipClient({
        url: whipUrl,
        token: command.token,
        encoder: new FeedRtpSource({ source: this.#session.capture }),
        ice: { ...this.#options.ice, iceServers: [...(this.#options.ice.iceServers ?? []), ...command.iceServers] },
        dataChannels: [
          { label: INPUT_CHANNELS.reliable, ordered: true },
          { label: INPUT_CHANNELS.pointer, ordered: false, maxPacketLifeTime: POINTER_CHANNEL_LIFETIME_MS },
        ],
        // A hub that keeps refusing (the session ended meanwhile, a token it no longer accepts) is not retried forever.
        maxAttempts: 8,
        log,
      });
      this.#client = client;
      client.on('message', (_label, data) => this.#onInput(data));
      client.on('state', (change) => {
        if (change.state === 'failed') void this.end(this.#state === 'running' ? 'ended' : 'start-failed', `publishing to the hub failed: ${change.error?.message ?? 'unknown'}`);
      });
      await client.start();
      // Running means the player can watch: the hub has answered and the peer is connected.
      await waitForConnected(client, PUBLISH_TIMEOUT_MS);
      if (this.#ending) return;
      this.#state = 'running';
      this.emit('report', { sessionId: this.id, state: 'running', startupMs: roundAll(this.#session.startupMs) });
    } catch (error) {
      log.warn({ sessionId: this.id, err: (error as Error).message }, 'host: session start failed');
      await this.end('start-failed', (error as Error).message);
    }
  }

  /** The hub's command for this session (other than start). */
  apply(command: Exclude<SessionCommand, StartCommand>): void {
    if (command.action === 'end') void this.end(command.reason);
    else if (command.action === 'release-input') {
      this.#gamepad.reset();
      this.#session.releaseInput();
    } else if (command.action === 'target') {
      if (this.#state !== 'running') return;
      const { bitrateKbps, fps, height } = command;
      const decision = this.#session.capture.setTarget({ bitrateKbps, ...(fps ? { fps } : {}), ...(height ? { height } : {}) });
      this.#options.log.info({ sessionId: this.id, bitrateKbps, fps, height, decision }, 'host: encoder target changed');
    }
  }

  stats(): HostSessionStats | undefined {
    if (this.#state !== 'running') return undefined;
    const capture = this.#session.capture.stats;
    const now = performance.now();
    const seconds = (now - this.#lastBytes.at) / 1000;
    const bitrateKbps = seconds > 0 ? ((capture.bytes - this.#lastBytes.bytes) * 8) / 1000 / seconds : 0;
    this.#lastBytes = { bytes: capture.bytes, at: now };
    return {
      fps: capture.fps,
      bitrateKbps: Math.round(bitrateKbps),
      targetBitrateKbps: capture.target?.bitrateKbps ?? this.#options.command.app.bitrateKbps,
      cpuPercent: this.#cpu.sample(this.#session.pids.ffmpeg),
      captureLatencyMs: capture.captureLatencyMs?.mean ?? 0,
      keyframes: capture.idrs,
    };
  }

  end(reason: EndReason = 'ended', message?: string): Promise<void> {
    this.#ending ??= (async () => {
      this.#endReason = reason;
      this.#state = 'ending';
      try {
        await this.#client?.stop().catch(() => undefined);
        await this.#session.end(asSessionEndReason(reason));
      } catch (error) {
        this.#options.log.error({ sessionId: this.id, err: (error as Error).message }, 'host: ending the session failed');
      } finally {
        // Always reported: the hub frees the slot only when it hears the session ended.
        this.#state = 'ended';
        this.#options.log.info({ sessionId: this.id, reason }, 'host: session ended');
        this.emit('report', { sessionId: this.id, state: 'ended', reason: this.#endReason ?? reason, ...(message ? { message } : {}) });
      }
    })();
    return this.#ending;
  }

  #onInput(data: string | Buffer): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
    } catch {
      this.#input.refused++;
      return;
    }
    const message = StreamInputSchema.safeParse(parsed);
    if (!message.success) {
      this.#input.refused++;
      return;
    }
    this.emit('input', message.data);
    const events = message.data.type === 'gamepad' ? this.#gamepad.translate(message.data) : [message.data];
    for (const event of events) {
      if (this.#session.input(event).ok) this.#input.applied++;
      else this.#input.refused++;
    }
  }
}

/** Per player and app; the player id is hashed so no name or id of the hub appears in the host's paths. */
export function saveDataDirOf(dataDir: string, playerId: string, appId: string): string {
  const player = createHash('sha256').update(playerId).digest('hex').slice(0, 32);
  return join(dataDir, 'saves', player, `app-${appId}`);
}

function waitForConnected(client: WhipClient, timeoutMs: number): Promise<void> {
  if (client.stats().state === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('state', onState);
      reject(new Error(`the hub did not take the session's video within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onState = (change: { state: string; error?: Error }) => {
      if (change.state !== 'connected' && change.state !== 'failed' && change.state !== 'stopped') return;
      clearTimeout(timer);
      client.off('state', onState);
      if (change.state === 'connected') resolve();
      else reject(new Error(`publishing ${change.state}: ${change.error?.message ?? ''}`));
    };
    client.on('state', onState);
  });
}

function asSessionEndReason(reason: EndReason): Parameters<StreamSession['end']>[0] {
  switch (reason) {
    case 'idle-timeout':
    case 'max-duration':
    case 'app-exited':
    case 'display-lost':
    case 'capture-failed':
    case 'start-failed':
      return reason;
    default:
      return 'ended';
  }
}

function roundAll(values: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined).map(([k, v]) => [k, Math.round(v!)]));
}
