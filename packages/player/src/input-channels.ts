import type { StreamInput } from '@sightline/protocol';

/**
 * The two data channels of a player's WHEP connection (protocol streaming.ts, INPUT_CHANNELS): `input`, reliable and
 * ordered, for keys, buttons and gamepad states (a release never overtakes its press, none is lost); `pointer`,
 * unordered with a 100 ms lifetime, for moves and the wheel (a late move is dropped rather than delaying the next).
 * The names and the lifetime are repeated here because the player takes only types from the protocol.
 */
export const INPUT_CHANNEL_LABELS = { reliable: 'input', pointer: 'pointer' } as const;
export const POINTER_LIFETIME_MS = 100;

/** A pointer channel with this much queued is congested: moves are dropped until it drains (a newer one follows). */
const POINTER_BACKLOG_BYTES = 16 * 1024;

export type InputChannelName = keyof typeof INPUT_CHANNEL_LABELS;

/** Which channel a message travels on. */
export function channelFor(input: StreamInput): InputChannelName {
  return input.type === 'mouse-move' || input.type === 'mouse-rel' || input.type === 'wheel' ? 'pointer' : 'reliable';
}

export interface InputChannelsEvents {
  /** A channel opened or closed. */
  state: { channel: InputChannelName; state: RTCDataChannelState };
  /** Something the hub sent on a channel (the protocol defines nothing yet: for extensions and tests). */
  message: { channel: InputChannelName; data: string | ArrayBuffer | Blob };
}

export interface InputChannelCounters {
  sent: number;
  /** Messages not sent: the channel was not open, or (pointer) congested. */
  dropped: number;
}

/** The input channels of one peer connection; attach() again for each new connection. */
export class InputChannels {
  readonly counters: InputChannelCounters = { sent: 0, dropped: 0 };
  private channels: Partial<Record<InputChannelName, RTCDataChannel>> = {};

  constructor(private readonly on: <N extends keyof InputChannelsEvents>(name: N, payload: InputChannelsEvents[N]) => void) {}

  /** Creates both channels on `pc`, before its offer (they must be negotiated with it). */
  attach(pc: RTCPeerConnection): void {
    this.detach();
    const reliable = pc.createDataChannel(INPUT_CHANNEL_LABELS.reliable, { ordered: true });
    const pointer = pc.createDataChannel(INPUT_CHANNEL_LABELS.pointer, { ordered: false, maxPacketLifeTime: POINTER_LIFETIME_MS });
    this.channels = { reliable, pointer };
    for (const [name, channel] of Object.entries(this.channels) as [InputChannelName, RTCDataChannel][]) {
      channel.addEventListener('open', () => this.channels[name] === channel && this.on('state', { channel: name, state: 'open' }));
      channel.addEventListener('close', () => this.channels[name] === channel && this.on('state', { channel: name, state: 'closed' }));
      channel.addEventListener('message', (event) => this.channels[name] === channel && this.on('message', { channel: name, data: event.data as string }));
    }
  }

  /** Forgets the current channels (their connection is gone or replaced). */
  detach(): void {
    const old = this.channels;
    this.channels = {};
    for (const channel of Object.values(old)) {
      if (channel.readyState === 'open' || channel.readyState === 'connecting') channel.close();
    }
  }

  get reliable(): RTCDataChannel | undefined {
    return this.channels.reliable;
  }

  get pointer(): RTCDataChannel | undefined {
    return this.channels.pointer;
  }

  /** Whether both channels are open. */
  get open(): boolean {
    return this.channels.reliable?.readyState === 'open' && this.channels.pointer?.readyState === 'open';
  }

  /** Sends one message as JSON on its channel; false when it could not go (not open, or pointer congestion). */
  send(input: StreamInput): boolean {
    const name = channelFor(input);
    const channel = this.channels[name];
    if (!channel || channel.readyState !== 'open' || (name === 'pointer' && channel.bufferedAmount > POINTER_BACKLOG_BYTES)) {
      this.counters.dropped++;
      return false;
    }
    try {
      channel.send(JSON.stringify(input));
    } catch {
      // Closed between the check and the send.
      this.counters.dropped++;
      return false;
    }
    this.counters.sent++;
    return true;
  }
}
