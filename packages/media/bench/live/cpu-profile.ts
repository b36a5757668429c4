import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  /** Share of the samples in which the relay was not idle. */
  busyShare: number;
  /** Shares of busy samples by where the code lives (self time). */
  categories: { name: string; share: number }[];
  /** Functions with the most self time, as shares of busy samples. */
  functions: { name: string; share: number }[];
  /** Shares of busy samples spent inside (self + callees) a few functions of the forwarding path. */
  inclusive: { name: string; share: number }[];
}

/** Samples this process's CPU with the V8 inspector (the same data as node --cpu-prof, without a restart). */
export class CpuProfiler {
  private readonly session = new Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 250 });
    await this.session.post('Profiler.start');
  }

  async stop(file: string): Promise<ProfileSummary> {
    const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: Profile };
    this.session.disconnect();
    await writeFile(file, JSON.stringify(profile));
    return summarize(profile, file);
  }
}

/** Functions whose inclusive time answers "is werift's SRTP / send path the bottleneck". */
const werift = (name: string) => (n: ProfileNode) => n.callFrame.functionName === name && n.callFrame.url.includes('werift');
const fastPath = (name: string, file: string) => (n: ProfileNode) => n.callFrame.functionName === name && n.callFrame.url.includes(file);
const INCLUSIVE: { name: string; match: (node: ProfileNode) => boolean }[] = [
  { name: 'relay: onPublisherRtp (everything per incoming packet)', match: (n) => n.callFrame.functionName === 'onPublisherRtp' },
  { name: 'relay: ViewerSession.forward (per viewer and packet)', match: (n) => n.callFrame.functionName === 'forward' && n.callFrame.url.includes('viewer-session') },
  { name: 'werift sendRtp (RTCRtpSender + DTLS transport)', match: werift('sendRtp') },
  { name: 'fast path: FastRtpSender.send (header, SRTP, UDP send)', match: fastPath('send', 'fast-rtp-sender') },
  { name: 'fast path: SRTP protect (GCM or AES-CM + HMAC)', match: fastPath('protect', 'srtp-protector') },
  { name: 'fast path: transmit (consent check + dgram send)', match: fastPath('transmit', 'fast-rtp-sender') },
  { name: 'werift SRTP encrypt (AES-GCM per packet)', match: werift('encrypt') },
  { name: 'werift ntpTime (called per packet by sendRtp)', match: werift('ntpTime') },
  { name: 'UDP send (ICE Connection.send + dgram)', match: (n) => (n.callFrame.url === 'node:dgram' && /send/i.test(n.callFrame.functionName)) || (!n.callFrame.url && n.callFrame.functionName === 'send') },
  { name: 'werift SRTP decrypt (publisher in, RTCP in)', match: werift('decrypt') },
  { name: 'RTCP from viewers (werift handling)', match: (n) => /handleRtcpPacket|handleRtcp/.test(n.callFrame.functionName) },
  { name: 'garbage collector', match: (n) => n.callFrame.functionName === '(garbage collector)' },
];

function summarize(profile: Profile, file: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const all = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const busy = all - idle || 1;
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (hits === 0 || functionName === '(idle)') continue;
    byCategory.set(categoryOf(functionName, url), (byCategory.get(categoryOf(functionName, url)) ?? 0) + hits);
    const name = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : '(native)'}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
  }
  // Inclusive time: every sample under a matching node counts once, even when the function recurses.
  const subtreeHits = (node: ProfileNode, inside: boolean, match: (n: ProfileNode) => boolean): number => {
    const here = inside || match(node);
    let hits = here ? (node.hitCount ?? 0) : 0;
    for (const child of node.children ?? []) {
      const next = byId.get(child);
      if (next) hits += subtreeHits(next, here, match);
    }
    return hits;
  };
  const root = profile.nodes[0];
  const inclusive = root
    ? INCLUSIVE.map(({ name, match }) => ({ name, share: subtreeHits(root, false, match) / busy }))
    : [];
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, hits]) => ({ name, share: hits / busy }));
  return { file, busyShare: busy / all, categories: top(byCategory, 12), functions: top(byFunction, 20), inclusive };
}

const CRYPTO_NATIVES = new Set(['initiv', 'update', 'final', 'CipherBase', 'setAAD', 'getAuthTag', 'setAuthTag', 'digest', 'Hmac', 'init']);

/** Areas of self time: where the relay's CPU goes. */
function categoryOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8 / native outside JS (program)';
  if ((!url && CRYPTO_NATIVES.has(functionName)) || url.startsWith('node:internal/crypto')) return 'SRTP crypto (node:crypto)';
  if ((!url && functionName === 'send') || url === 'node:dgram' || url.startsWith('node:internal/dgram')) return 'UDP send (dgram, one syscall per packet)';
  if (functionName === 'ntpTime' && url.includes('werift')) return 'werift ntpTime (per packet)';
  if (url.includes('werift')) return 'werift JavaScript (RTP/SRTP/RTCP/ICE)';
  if (url.includes('/packages/media/src/relay/fast-path/')) return 'Sightline fast path (JS: header, counters, XOR)';
  if (url.includes('/packages/media/src/')) return 'Sightline relay';
  if (url.startsWith('node:')) return `node ${url.slice(5)}`;
  if (!url) return `native: ${functionName}`;
  return 'other';
}

function shortUrl(url: string): string {
  const cut = url.lastIndexOf('node_modules/');
  if (cut >= 0) return url.slice(cut + 'node_modules/'.length);
  const media = url.indexOf('packages/media/');
  return media >= 0 ? url.slice(media) : url.replace(/^file:\/\//, '');
}
