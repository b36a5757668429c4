import type { Socket } from 'node:dgram';
import type { RTCDtlsTransport, RTCRtpSender } from 'werift';
import type { SrtpSessionKeys } from './srtp-protector.js';

/**
 * The few werift internals the fast path reads, described structurally: werift 0.24 keeps them public in its
 * classes but not all in its typings. Each reader returns undefined when the shape is not what it expects, and the
 * viewer then stays on werift's own sender.
 */

interface WeriftSrtpContext {
  profile?: unknown;
  srtpSessionKey?: unknown;
  srtpSessionSalt?: unknown;
  srtpSessionAuthTag?: unknown;
}

/** The local (sending) SRTP session keys werift derived after the DTLS handshake. */
export function localSrtpKeys(dtls: RTCDtlsTransport): SrtpSessionKeys | undefined {
  const context = (dtls as unknown as { srtp?: { localContext?: WeriftSrtpContext } }).srtp?.localContext;
  if (!context) return undefined;
  const { profile, srtpSessionKey, srtpSessionSalt, srtpSessionAuthTag } = context;
  if (typeof profile !== 'number' || !Buffer.isBuffer(srtpSessionKey) || !Buffer.isBuffer(srtpSessionSalt)) return undefined;
  return {
    profile,
    key: srtpSessionKey,
    salt: srtpSessionSalt,
    authKey: Buffer.isBuffer(srtpSessionAuthTag) ? srtpSessionAuthTag : Buffer.alloc(0),
  };
}

/** werift's ICE candidate pair, as far as sending on it goes. */
interface WeriftCandidatePair {
  remoteAddr?: readonly [string, number];
  protocol?: { type?: string; transport?: { socket?: unknown; closed?: boolean } };
}

/** werift's ICE agent (`Connection`). */
interface WeriftIceConnection {
  nominated?: WeriftCandidatePair;
  canSendApplicationData?: () => boolean;
}

export function iceConnectionOf(dtls: RTCDtlsTransport): WeriftIceConnection | undefined {
  const connection = (dtls as unknown as { iceTransport?: { connection?: WeriftIceConnection } }).iceTransport?.connection;
  return connection && typeof connection.canSendApplicationData === 'function' ? connection : undefined;
}

/** Where the selected pair's packets go: its local UDP socket and the remote address. */
export interface UdpRoute {
  socket: Socket;
  port: number;
  address: string;
}

/** The route of a host/srflx/prflx pair over UDP (werift's StunProtocol); undefined for TURN or TCP. */
export function udpRouteOf(pair: WeriftCandidatePair): UdpRoute | undefined {
  const socket = pair.protocol?.transport?.socket as Socket | undefined;
  const remote = pair.remoteAddr;
  if (pair.protocol?.type !== 'stun' || !socket || typeof socket.send !== 'function' || !remote) return undefined;
  return { socket, address: remote[0], port: remote[1] };
}

/** What werift's sender negotiated that its typings keep private. */
export function senderDetails(sender: RTCRtpSender): { headerExtensionCount: number; cname: string | undefined } {
  const { headerExtensions, cname } = sender as unknown as { headerExtensions?: unknown[]; cname?: unknown };
  return { headerExtensionCount: headerExtensions?.length ?? 0, cname: typeof cname === 'string' ? cname : undefined };
}
