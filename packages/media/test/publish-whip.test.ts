import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  H264_NAL,
  h264NalTypesStarting,
  RtpEncoder,
  WhipClient,
  WhipError,
  type KeyframeRequestEvent,
  type RtpEncoderOptions,
  type WhipClientOptions,
  type WhipStateChange,
} from '../src/publish/index.js';
import { isRunning, reportFigure, sleep } from './publish-support/processes.js';
import { ReceivingPeer, type ReceivedPacket } from './publish-support/receiving-peer.js';
import { RelayWhipServer } from './publish-support/relay-whip-server.js';
import { WhipTestEndpoint } from './publish-support/whip-test-endpoint.js';

const TOKEN = 'publish-token-0123456789';
const PATTERN = 'lavfi:testsrc2=size=640x360:rate=30';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receivingEndpoint(): Promise<WhipTestEndpoint<ReceivingPeer>> {
  const endpoint = await WhipTestEndpoint.start<ReceivingPeer>({
    token: TOKEN,
    backend: {
      accept: async (offerSdp) => {
        const { peer, answerSdp } = await ReceivingPeer.answer(offerSdp);
        return { session: peer, answerSdp };
      },
      remove: (peer) => peer.close(),
    },
  });
  cleanups.push(() => endpoint.close());
  return endpoint;
}

function publisher(
  url: string,
  options: Partial<WhipClientOptions> = {},
  encoderOptions: Partial<RtpEncoderOptions> = {},
): { client: WhipClient; encoder: RtpEncoder; states: WhipStateChange[] } {
  const encoder = new RtpEncoder({ source: PATTERN, gopSeconds: 2, ...encoderOptions });
  const client = new WhipClient({ url, token: TOKEN, encoder, ice: { loopbackOnly: true }, ...options });
  const states: WhipStateChange[] = [];
  client.on('state', (change) => states.push(change));
  cleanups.push(async () => {
    const pids = encoder.pids;
    await client.stop();
    expect(pids.filter(isRunning)).toEqual([]);
  });
  return { client, encoder, states };
}

function isIdrStart(packet: ReceivedPacket): boolean {
  return h264NalTypesStarting(packet.payload).includes(H264_NAL.IDR);
}

function nextState(client: WhipClient, predicate: (change: WhipStateChange) => boolean, timeoutMs: number): Promise<WhipStateChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching state within ${timeoutMs} ms (now ${client.state})`)), timeoutMs);
    const onState = (change: WhipStateChange) => {
      if (!predicate(change)) return;
      clearTimeout(timer);
      client.off('state', onState);
      resolve(change);
    };
    client.on('state', onState);
  });
}

describe('WhipClient', () => {
  it('publishes to a WHIP endpoint with its bearer token; the receiver gets H.264 from a keyframe on; stop() DELETEs and ends ffmpeg', async () => {
    const endpoint = await receivingEndpoint();
    const { client, encoder } = publisher(endpoint.url);
    const session = endpoint.nextSession(10_000);
    const started = performance.now();
    await client.start();
    await client.whenConnected(10_000);
    const connectedAt = performance.now();
    const peer = await session;
    const firstKeyframe = await peer.nextPacket(isIdrStart, 5000);
    reportFigure('WhipClient start() to connected (ffmpeg start, POST, ICE, DTLS)', connectedAt - started);
    reportFigure('connected to the first IDR at the receiver', firstKeyframe.at - connectedAt);
    await sleep(500);

    const [post] = endpoint.requests;
    expect(post).toMatchObject({ method: 'POST', status: 201, authorization: `Bearer ${TOKEN}` });
    expect(client.resourceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/whip\/camera-1\/[0-9a-f-]{36}$/);
    // Everything from the first keyframe on arrives in order, nothing missing.
    const fromKeyframe = peer.received.slice(peer.received.indexOf(firstKeyframe));
    expect(fromKeyframe.length).toBeGreaterThan(50);
    for (let i = 1; i < fromKeyframe.length; i++) {
      expect(fromKeyframe[i]!.sequenceNumber).toBe((fromKeyframe[i - 1]!.sequenceNumber + 1) & 0xffff);
    }
    expect(client.stats()).toMatchObject({ state: 'connected', connects: 1, failedAttempts: 0 });

    const pid = encoder.pid!;
    const resource = new URL(client.resourceUrl!).pathname;
    await client.stop();
    expect(client.state).toBe('stopped');
    expect(endpoint.requests.at(-1)).toMatchObject({ method: 'DELETE', path: resource, status: 200, authorization: `Bearer ${TOKEN}` });
    expect(endpoint.sessions.size).toBe(0);
    expect(isRunning(pid)).toBe(false);
  });

  it("answers the receiver's PLI with requestKeyframe(), and a keyframe follows", async () => {
    const endpoint = await receivingEndpoint();
    const { client } = publisher(endpoint.url, {}, { minRestartIntervalMs: 500 });
    const session = endpoint.nextSession(10_000);
    await client.start();
    await client.whenConnected(10_000);
    const peer = await session;
    await peer.nextPacket(isIdrStart, 5000);
    const latencies: number[] = [];
    for (let round = 0; round < 2; round++) {
      await sleep(600); // past the encoder's minimum restart interval
      const request = new Promise<KeyframeRequestEvent>((resolve) => client.once('keyframe-request', resolve));
      const keyframe = peer.nextPacket(isIdrStart, 3000);
      keyframe.catch(() => undefined); // awaited below; a failure there fails the test
      const sentAt = performance.now();
      await peer.sendPli();
      const event = await request;
      expect(event.kind).toBe('pli');
      expect(event.decision).toMatchObject({ action: 'restart', reason: 'restarting' });
      latencies.push((await keyframe).at - sentAt);
    }
    for (const latency of latencies) reportFigure('PLI sent by the receiver to the next IDR received (encoder restart)', latency);
    for (const latency of latencies) expect(latency).toBeLessThan(1500);
    expect(client.stats().pliReceived).toBe(2);
  });

  it('reports a refused token clearly, retries with growing delays and connects once the token is right', async () => {
    const endpoint = await receivingEndpoint();
    let calls = 0;
    const { client, states } = publisher(endpoint.url, {
      token: () => (++calls <= 3 ? 'expired-token' : TOKEN),
      reconnectBackoff: { initialDelayMs: 100, maxDelayMs: 1000 },
    });
    await client.start();
    await client.whenConnected(10_000);
    const refusals = states.filter((change) => change.error !== undefined);
    expect(refusals).toHaveLength(3);
    for (const refusal of refusals) {
      expect(refusal.state).toBe('reconnecting');
      expect(refusal.error).toBeInstanceOf(WhipError);
      expect(refusal.error).toMatchObject({ code: 'unauthorized', status: 401 });
      expect(refusal.error!.message).toMatch(/refused the token \(401\)/);
    }
    const delays = refusals.map((refusal) => refusal.retryInMs!);
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
    expect(delays[2]!).toBeGreaterThan(delays[1]!);
    expect(endpoint.requests.filter((request) => request.status === 401)).toHaveLength(3);
    expect(endpoint.requests.at(-1)).toMatchObject({ method: 'POST', status: 201 });
  });

  it('gives up after maxAttempts with the reason, and stops its encoder', async () => {
    const endpoint = await receivingEndpoint();
    const { client, encoder } = publisher(endpoint.url, {
      token: 'wrong-token',
      maxAttempts: 2,
      reconnectBackoff: { initialDelayMs: 50 },
    });
    await client.start();
    const error = await client.whenConnected(10_000).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WhipError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(client.state).toBe('failed');
    await vi.waitFor(() => expect(encoder.pids).toEqual([]), { timeout: 3000 });
    expect(encoder.state).toBe('stopped');
  });

  it('reconnects when the endpoint vanishes (crash) and comes back on the same address', async () => {
    const endpointScript = fileURLToPath(new URL('./publish-support/endpoint-process.ts', import.meta.url));
    let endpointProcess: ChildProcess | undefined;
    let stats = { sessions: 0, packets: 0 };
    const startEndpoint = async (port: number) => {
      const child = fork(endpointScript, [TOKEN, String(port)], { execArgv: ['--import', 'tsx'], stdio: 'ignore' });
      endpointProcess = child;
      const ready = await new Promise<{ url: string; port: number }>((resolve, reject) => {
        child.on('message', (message: { type: string; url: string; port: number; sessions: number; packets: number }) => {
          if (message.type === 'ready') resolve(message);
          else if (child === endpointProcess) stats = { sessions: message.sessions, packets: message.packets };
        });
        child.once('exit', (code) => reject(new Error(`endpoint process exited (${code})`)));
      });
      return ready;
    };
    cleanups.push(async () => {
      endpointProcess?.kill('SIGKILL');
    });
    const { url, port } = await startEndpoint(0);
    const { client, encoder } = publisher(url, { rtcpTimeoutMs: 1500, reconnectBackoff: { initialDelayMs: 200, maxDelayMs: 800 } });
    await client.start();
    await client.whenConnected(10_000);
    await vi.waitFor(() => expect(stats.packets).toBeGreaterThan(20), { timeout: 5000 });
    const encoderStates: string[] = [];
    encoder.on('state', (state) => encoderStates.push(state));

    const detected = nextState(client, (change) => change.error !== undefined, 10_000);
    const killedAt = performance.now();
    endpointProcess!.kill('SIGKILL');
    const loss = await detected;
    reportFigure('endpoint crash detected (no RTCP for rtcpTimeoutMs=1500)', performance.now() - killedAt);
    expect(loss.state).toBe('reconnecting');
    expect(['remote-silent', 'connection-failed']).toContain(loss.error!.code);

    // While it is down, attempts fail to connect and are retried.
    await nextState(client, (change) => change.error?.code === 'network', 5000);
    stats = { sessions: 0, packets: 0 };
    await startEndpoint(port);
    const readyAt = performance.now();
    await client.whenConnected(10_000);
    await vi.waitFor(() => expect(stats.packets).toBeGreaterThan(20), { timeout: 5000 });
    reportFigure('endpoint listening again to connected with media flowing (retry delay up to 800 ms)', performance.now() - readyAt);
    expect(stats.sessions).toBe(1);
    // The encoder kept running through the outage.
    expect(encoderStates).toEqual([]);
    expect(encoder.state).toBe('running');
    expect(client.stats().connects).toBe(2);
  });
});

describe('WhipClient into LiveRelay (WhipWhepSessions)', () => {
  it("reaches a WHEP viewer through the relay, and the viewer's PLI comes back to the encoder", async () => {
    const server = await RelayWhipServer.start(TOKEN);
    cleanups.push(() => server.close());
    const { client } = publisher(server.url);
    const started = performance.now();
    await client.start();
    await client.whenConnected(10_000);
    await vi.waitFor(() => expect(server.relay.hasPublisher).toBe(true), { timeout: 5000 });

    const { peer: viewer, offerSdp } = await ReceivingPeer.offer();
    cleanups.push(() => viewer.close());
    const { answerSdp } = await server.relay.addViewer(offerSdp);
    await viewer.accept(answerSdp);
    const firstKeyframe = await viewer.nextPacket(isIdrStart, 5000);
    reportFigure('publisher start() to the first IDR at a relay viewer', firstKeyframe.at - started);
    await sleep(2100); // let the encoder's restart rate limit pass

    const request = new Promise<KeyframeRequestEvent>((resolve) => client.once('keyframe-request', resolve));
    const keyframe = viewer.nextPacket(isIdrStart, 3000);
    const sentAt = performance.now();
    await viewer.sendPli();
    expect((await request).kind).toBe('pli');
    const latency = (await keyframe).at - sentAt;
    reportFigure('viewer PLI through the relay to the next IDR at the viewer', latency);
    expect(latency).toBeLessThan(1500);
    expect(server.relay.stats().keyframeRequestsUpstream).toBeGreaterThanOrEqual(1);

    await client.stop();
    expect(server.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 200 });
    expect(server.relay.hasPublisher).toBe(false);
  });
});
