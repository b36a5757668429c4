/**
 * The bench's streaming host, in its own process as it would be on its own machine (the hub's relay and the host's
 * packetizer do not share an event loop). ICE stays on 127.0.0.1. argv: hubUrl token dataDir slots.
 */
import { startHost } from '../../src/index.js';

const [hubUrl, token, dataDir, slots] = process.argv.slice(2);
const host = await startHost({ hubUrl, token, dataDir: dataDir!, slots: Number(slots ?? 8), heartbeatMs: 1000, ice: { loopbackOnly: true }, logLevel: 'warn' });
process.send?.({ ready: host.hostId });
const stop = async () => {
  await host.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
