import { RTCPeerConnection, type RTCDataChannel } from 'werift';
import { peerConfig } from '@sightline/media';
import { INPUT_CHANNELS, POINTER_CHANNEL_LIFETIME_MS, type StreamInput } from '@sightline/protocol';

/** A WHEP player in Node (werift): receives the session's video and sends input on the two channels, like a browser. */
export class WeriftPlayer {
  readonly pc = new RTCPeerConnection(peerConfig({ loopbackOnly: true }));
  readonly reliable: RTCDataChannel;
  readonly pointer: RTCDataChannel;
  packets = 0;
  resourceUrl: string | undefined;

  constructor() {
    this.pc.addTransceiver('video', { direction: 'recvonly' }).onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => this.packets++));
    this.reliable = this.pc.createDataChannel(INPUT_CHANNELS.reliable, { ordered: true });
    this.pointer = this.pc.createDataChannel(INPUT_CHANNELS.pointer, { ordered: false, maxPacketLifeTime: POINTER_CHANNEL_LIFETIME_MS });
  }

  /** POSTs the offer; resolves with the HTTP status (201 when accepted) once connected. */
  async connect(whepUrl: string, token: string): Promise<number> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    while (this.pc.iceGatheringState !== 'complete') await new Promise((r) => setTimeout(r, 20));
    const res = await fetch(whepUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${token}` },
      body: this.pc.localDescription!.sdp,
    });
    if (res.status !== 201) return res.status;
    this.resourceUrl = new URL(res.headers.get('location')!, whepUrl).toString();
    await this.pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    const deadline = Date.now() + 10_000;
    while (this.reliable.readyState !== 'open' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return res.status;
  }

  send(input: StreamInput): void {
    const channel = input.type === 'mouse-move' || input.type === 'mouse-rel' || input.type === 'wheel' ? this.pointer : this.reliable;
    channel.send(JSON.stringify(input));
  }

  async close(): Promise<void> {
    await this.pc.close();
  }
}
