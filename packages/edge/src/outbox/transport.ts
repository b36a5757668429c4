/**
 * What the sender needs from an MQTT connection. An mqtt.js client fits in a few lines: `connected` is
 * `client.connected`, `publish` is `client.publishAsync(topic, payload, { qos })`, acks are the messages on the
 * device's `events/ack` topic (subscribe on every connect), and connection changes come from its `connect` and
 * `close` events.
 */
export interface EventTransport {
  /** True while the broker connection is up. */
  readonly connected: boolean;
  /** Publishes at QoS 1; resolves when the broker has the message, rejects when it could not be sent. */
  publish(topic: string, payload: Buffer, qos: 1): Promise<void>;
  /** Every message that arrives on the ack topic, as received (Buffer, string or parsed JSON): the sender validates it. */
  onAck(listener: (payload: unknown) => void): () => void;
  /** Called with true once connected (and subscribed to the ack topic), false when the connection is lost. */
  onConnectionChange(listener: (connected: boolean) => void): () => void;
}
