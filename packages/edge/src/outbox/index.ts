export { Outbox, OutboxInputError } from './outbox.js';
export type { AppendResult, CompleteResult, NextBatchOptions, OutboxOptions, OutboxStats } from './outbox.js';
export { OutboxBatch } from './batch.js';
export type { BatchEventRow, BatchSnapshotRow } from './batch.js';
export { OutboxSender } from './sender.js';
export type { OutboxSenderOptions, OutboxSenderStats, SenderLogger } from './sender.js';
export type { EventTransport } from './transport.js';
export { MqttEventTransport } from './mqtt-transport.js';
