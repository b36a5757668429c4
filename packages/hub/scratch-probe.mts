import mqtt from 'mqtt';
import { startTestHub } from './test/support/test-hub.js';
import { enrollDevice, TestDevice, waitConnected } from './test/support/device-client.js';
import { captureLogs } from './test/support/log-capture.js';
import { batchOf, zoneEnter } from './test/support/events.js';
const logs = captureLogs();
const t = await startTestHub({ logger: logs.logger, maxMqttPayloadBytes: 64 * 1024 });
const a = await enrollDevice(t, 'dev-a');
const b = await enrollDevice(t, 'dev-b');
const da = await TestDevice.connect(t.hub.mqttUrl, a);
await da.subscribeOwn();
await new Promise(r => setTimeout(r, 200));
console.log('received', da.received.map(m => [m.topic, m.retain, m.payload.toString()]));
const granted = await da.client.subscribeAsync('sightline/v1/devices/dev-b/config', { qos: 1 }).catch(e => e.packet.granted);
console.log('granted', granted);
let closed = false; da.client.on('close', () => closed = true);
const r = await Promise.race([da.client.publishAsync('sightline/v1/devices/dev-b/events', JSON.stringify(batchOf('dev-b', [zoneEnter('c')])), { qos: 1 }).then(() => 'acked', e => 'err ' + e.message), new Promise(r => setTimeout(() => r('timeout'), 2000))]);
console.log('pub other', r, 'closed', closed, da.client.connected);
await da.close();
// wrong password
const c1 = mqtt.connect(t.hub.mqttUrl, { clientId: 'dev-a', username: 'dev-a', password: 'nope', protocolVersion: 4, reconnectPeriod: 0 });
await waitConnected(c1).then(() => console.log('connected?!'), e => console.log('wrong pw:', e.message, (e as any).code));
const c2 = mqtt.connect(t.hub.mqttUrl, { clientId: 'other', username: 'dev-a', password: a.credentials.mqtt.password, protocolVersion: 4, reconnectPeriod: 0 });
await waitConnected(c2).then(() => console.log('connected?!'), e => console.log('wrong id:', e.message, (e as any).code));
// oversized
const db = await TestDevice.connect(t.hub.mqttUrl, b);
let bclosed = false; db.client.on('close', () => bclosed = true);
const big = Buffer.alloc(100 * 1024, 'a');
const r2 = await Promise.race([db.client.publishAsync('sightline/v1/devices/dev-b/events', big, { qos: 1 }).then(() => 'acked', e => 'err ' + e.message), new Promise(r => setTimeout(() => r('timeout'), 2000))]);
console.log('oversize', r2, bclosed);
await db.close();
// ws
const dw = await TestDevice.connect(t.hub.mqttWsUrl!, a);
console.log('ws ok', dw.client.connected);
await dw.close();
console.log(logs.lines.filter(l => l.level >= 40).map(l => l.msg));
console.log(await t.metric('sightline_mqtt_messages_rejected_total'));
await t.close();
