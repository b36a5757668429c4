import { deviceTopics } from '@sightline/protocol';
import type { MqttClient } from 'mqtt';
import type { SenderLogger } from './sender.js';
import type { EventTransport } from './transport.js';

const SUBSCRIBE_RETRY_MS = 5000;

/**
 * EventTransport over an mqtt.js client, which may be shared with the rest of the agent: it only listens to the
 * device's ack topic, and subscribes to it again after every connect (a clean session forgets subscriptions).
 * It reports itself connected once that subscription is granted, so no batch goes out before its ack could arrive.
 */
export class MqttEventTransport implements EventTransport {
  private readonly ackTopic: string;
  private readonly ackListeners = new Set<(payload: unknown) => void>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private subscribed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: MqttClient,
    deviceId: string,
    private readonly log?: SenderLogger,
  ) {
    this.ackTopic = deviceTopics(deviceId).eventsAck;
    client.on('message', this.handleMessage);
    client.on('connect', this.handleConnect);
    client.on('close', this.handleClose);
    if (client.connected) this.handleConnect();
  }

  get connected(): boolean {
    return this.client.connected && this.subscribed;
  }

  async publish(topic: string, payload: Buffer, qos: 1): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos });
  }

  onAck(listener: (payload: unknown) => void): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Stops listening to the client (which stays open: its owner ends it). */
  detach(): void {
    this.client.off('message', this.handleMessage);
    this.client.off('connect', this.handleConnect);
    this.client.off('close', this.handleClose);
    clearTimeout(this.retryTimer);
    this.ackListeners.clear();
    this.connectionListeners.clear();
  }

  private readonly handleMessage = (topic: string, payload: Buffer): void => {
    if (topic !== this.ackTopic) return;
    for (const listener of this.ackListeners) listener(payload);
  };

  private readonly handleConnect = (): void => {
    this.client
      .subscribeAsync(this.ackTopic, { qos: 1 })
      .then(() => {
        if (!this.client.connected) return;
        this.subscribed = true;
        for (const listener of this.connectionListeners) listener(true);
      })
      .catch((err: unknown) => {
        // Nothing is sent meanwhile, so no ack can be missed; try again while the connection lasts.
        this.log?.error({ err, topic: this.ackTopic }, 'subscribing to event acks failed; retrying');
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => {
          if (this.client.connected && !this.subscribed) this.handleConnect();
        }, SUBSCRIBE_RETRY_MS);
        this.retryTimer.unref();
      });
  };

  private readonly handleClose = (): void => {
    const was = this.subscribed;
    this.subscribed = false;
    if (was) for (const listener of this.connectionListeners) listener(false);
  };
}
