/**
 * The load generator, run as a child process of the bench so that building and sending batches does not run on
 * the hub's event loop (on 2 cores the two still compete for CPU time).
 *
 * Each simulated device behaves like the edge's outbox sender: batches leave on a schedule that gives the offered
 * rate, at most `window` batches are published and unacknowledged at once, and a batch that finds the window full
 * waits for an ack. At the end of a step the batches still waiting are dropped (counted, not sent), so every step
 * starts without a backlog.
 *
 * Visibility is measured through the public API: each device polls GET /api/v1/events?deviceId=…&limit=1 while it
 * has batches not yet seen. A device's batches commit in order, one transaction each, so once the newest stored
 * event id reaches a batch's newest event id (UUIDv7, ordered by creation) that batch is queryable. The time taken
 * is the poll's response time, an upper bound within one poll interval plus one request.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopics } from '@sightline/protocol';
import type { DeviceLogin, FromGenerator, GeneratorSettings, StepResult, ToGenerator } from './messages.js';
import { SyntheticEvents } from './synthetic-events.js';
import { percentiles } from './stats.js';

const DRAIN_TIMEOUT_MS = 15_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class StepStats {
  offered = 0;
  published = 0;
  ackedInStep = 0;
  ackedTotal = 0;
  batches = 0;
  bytes = 0;
  pollRequests = 0;
  loadEnded = false;
  lastAckAt = 0;
  readonly ack: number[] = [];
  readonly visible: number[] = [];
  readonly dueToVisible: number[] = [];
}

interface Scheduled {
  dueAt: number;
  size: number;
}

interface Sent extends Scheduled {
  publishedAt: number;
  stats: StepStats;
}

interface AwaitingVisibility extends Sent {
  sampleId: string;
}

class SimulatedDevice {
  private readonly events: SyntheticEvents;
  private readonly topics: ReturnType<typeof deviceTopics>;
  private backlog: Scheduled[] = [];
  private readonly inFlight = new Map<string, Sent>();
  private awaiting: AwaitingVisibility[] = [];
  private wakePoller: (() => void) | undefined;
  private stats = new StepStats();
  private scheduleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly login: DeviceLogin,
    private readonly client: MqttClient,
    private readonly settings: GeneratorSettings,
  ) {
    this.events = new SyntheticEvents(login.deviceId, settings.snapshotShare);
    this.topics = deviceTopics(login.deviceId);
    client.on('message', (topic, payload) => {
      if (topic === this.topics.eventsAck) this.onAck(payload);
    });
  }

  static async connect(login: DeviceLogin, settings: GeneratorSettings): Promise<SimulatedDevice> {
    const client = await mqtt.connectAsync(login.mqtt.url, {
      clientId: login.deviceId,
      username: login.mqtt.username,
      password: login.mqtt.password,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    client.on('error', (err) => send({ type: 'error', message: `${login.deviceId}: mqtt error: ${err.message}` }));
    const device = new SimulatedDevice(login, client, settings);
    await client.subscribeAsync(device.topics.eventsAck, { qos: 1 });
    void device.pollVisibility();
    return device;
  }

  /** Offers `rate` events per second from `start` to `end` (performance.now() times). */
  runStep(stats: StepStats, rate: number, start: number, end: number): void {
    this.stats = stats;
    const { batchMin, batchMax } = this.settings;
    const nextSize = () => batchMin + Math.floor(Math.random() * (batchMax - batchMin + 1));
    let size = nextSize();
    // A random phase so that the devices' batches do not all leave in the same millisecond.
    let due = start + ((Math.random() * size) / rate) * 1000;
    const tick = () => {
      const now = performance.now();
      while (due <= now && due < end) {
        this.backlog.push({ dueAt: due, size });
        stats.offered += size;
        due += (size / rate) * 1000;
        size = nextSize();
      }
      this.pump();
      if (due < end && !this.closed) this.scheduleTimer = setTimeout(tick, Math.max(0, due - performance.now()));
    };
    tick();
  }

  /** Stops offering; batches that never got a window slot are dropped. */
  endLoad(): void {
    clearTimeout(this.scheduleTimer);
    this.backlog = [];
  }

  get settled(): boolean {
    return this.inFlight.size === 0 && this.awaiting.length === 0;
  }

  /** Forgets whatever the drain did not settle; returns how many batches were never seen through the API. */
  reset(): number {
    const unseen = this.awaiting.length;
    this.inFlight.clear();
    this.awaiting = [];
    return unseen;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.endLoad();
    this.wakePoller?.();
    await this.client.endAsync();
  }

  private pump(): void {
    while (this.inFlight.size < this.settings.window && this.backlog.length > 0) this.publish(this.backlog.shift()!);
  }

  private publish(scheduled: Scheduled): void {
    const { batch, sampleId } = this.events.batch(scheduled.size);
    const payload = JSON.stringify(batch);
    const publishedAt = performance.now();
    const sent: Sent = { ...scheduled, publishedAt, stats: this.stats };
    this.inFlight.set(batch.batchId, sent);
    this.awaiting.push({ ...sent, sampleId });
    this.stats.published += scheduled.size;
    this.stats.batches++;
    this.stats.bytes += payload.length;
    this.client.publish(this.topics.events, payload, { qos: 1 }, (err) => {
      if (err) send({ type: 'error', message: `${this.login.deviceId}: publish failed: ${err.message}` });
    });
    this.wakePoller?.();
  }

  private onAck(payload: Buffer): void {
    const now = performance.now();
    let batchId: unknown;
    try {
      // Only the batch id is needed; full EventAck validation would spend the generator's CPU on 375 uuid checks.
      batchId = (JSON.parse(payload.toString('utf8')) as { batchId?: unknown }).batchId;
    } catch {
      send({ type: 'error', message: `${this.login.deviceId}: ack is not JSON` });
      return;
    }
    const sent = typeof batchId === 'string' ? this.inFlight.get(batchId) : undefined;
    if (!sent) return;
    this.inFlight.delete(batchId as string);
    sent.stats.ack.push(now - sent.publishedAt);
    if (!sent.stats.loadEnded) sent.stats.ackedInStep += sent.size;
    sent.stats.ackedTotal += sent.size;
    sent.stats.lastAckAt = now;
    this.pump();
  }

  private async pollVisibility(): Promise<void> {
    const url = `${this.settings.apiUrl}/api/v1/events?deviceId=${encodeURIComponent(this.login.deviceId)}&limit=1`;
    const headers = { authorization: `Bearer ${this.settings.apiKey}` };
    while (!this.closed) {
      if (this.awaiting.length === 0) {
        await new Promise<void>((resolve) => (this.wakePoller = resolve));
        this.wakePoller = undefined;
        continue;
      }
      const stats = this.awaiting[0]!.stats;
      stats.pollRequests++;
      let newest: string | undefined;
      try {
        const response = await fetch(url, { headers });
        if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
        const page = (await response.json()) as { events?: { event?: { id?: unknown } }[] };
        const id = page.events?.[0]?.event?.id;
        newest = typeof id === 'string' ? id : undefined;
      } catch (err) {
        send({ type: 'error', message: `${this.login.deviceId}: visibility poll failed: ${(err as Error).message}` });
        await sleep(200);
        continue;
      }
      const seenAt = performance.now();
      while (newest !== undefined && this.awaiting.length > 0 && this.awaiting[0]!.sampleId <= newest) {
        const batch = this.awaiting.shift()!;
        batch.stats.visible.push(seenAt - batch.publishedAt);
        batch.stats.dueToVisible.push(seenAt - batch.dueAt);
      }
      await sleep(this.settings.pollMs);
    }
  }
}

let devices: SimulatedDevice[] = [];

async function runStep(rate: number, seconds: number): Promise<StepResult> {
  const stats = new StepStats();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  for (const device of devices) device.runStep(stats, rate / devices.length, start, end);
  await sleep(Math.max(0, end - performance.now()));
  stats.loadEnded = true;
  for (const device of devices) device.endLoad();
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedS = (performance.now() - start) / 1000;
  send({ type: 'step-load-ended' });

  const drainUntil = performance.now() + DRAIN_TIMEOUT_MS;
  while (!devices.every((d) => d.settled) && performance.now() < drainUntil) await sleep(10);
  const neverVisible = devices.reduce((sum, d) => sum + d.reset(), 0);
  return {
    rate,
    seconds: elapsedS,
    offeredEvents: stats.offered,
    publishedEvents: stats.published,
    ackedInStep: stats.ackedInStep,
    ackedTotal: stats.ackedTotal,
    committedSeconds: stats.lastAckAt > start ? (stats.lastAckAt - start) / 1000 : NaN,
    batchesPublished: stats.batches,
    meanBatchEvents: stats.batches ? stats.published / stats.batches : 0,
    meanEventBytes: stats.published ? stats.bytes / stats.published : 0,
    ack: percentiles(stats.ack),
    visible: percentiles(stats.visible),
    dueToVisible: percentiles(stats.dueToVisible),
    neverVisible,
    pollRequests: stats.pollRequests,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

function send(message: FromGenerator): void {
  process.send?.(message);
}

async function handle(message: ToGenerator): Promise<void> {
  if (message.type === 'init') {
    devices = await Promise.all(message.settings.devices.map((login) => SimulatedDevice.connect(login, message.settings)));
    send({ type: 'ready' });
  } else if (message.type === 'step') {
    send({ type: 'step-result', result: await runStep(message.rate, message.seconds) });
  } else {
    await Promise.all(devices.map((d) => d.close()));
    // fetch keeps idle keep-alive sockets open; nothing is left to do.
    process.exit(0);
  }
}

process.on('message', (message: ToGenerator) => {
  handle(message).catch((err: unknown) => {
    send({ type: 'error', message: `generator: ${(err as Error).stack ?? String(err)}` });
    process.exitCode = 1;
  });
});
