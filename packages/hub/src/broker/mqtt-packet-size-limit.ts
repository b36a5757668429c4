import { Transform, type TransformCallback } from 'node:stream';

/**
 * Reads MQTT fixed headers as bytes stream past and fails the connection as soon as a packet announces a length
 * over the limit, before the broker buffers it: aedes itself has no packet size limit.
 */
export class MqttPacketSizeLimit extends Transform {
  private remainingBody = 0;
  private headerBytes: number[] = [];

  constructor(private readonly maxPacketBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.remainingBody > 0) {
        const take = Math.min(this.remainingBody, chunk.length - i);
        this.remainingBody -= take;
        i += take;
        continue;
      }
      this.headerBytes.push(chunk[i]!);
      i++;
      // headerBytes[0] is the packet type; then 1-4 bytes of variable-length "remaining length".
      if (this.headerBytes.length === 1) continue;
      const last = this.headerBytes[this.headerBytes.length - 1]!;
      if ((last & 0x80) !== 0) {
        if (this.headerBytes.length > 4) return done(new Error('malformed MQTT remaining length'));
        continue;
      }
      let length = 0;
      for (let k = this.headerBytes.length - 1; k >= 1; k--) length = length * 128 + (this.headerBytes[k]! & 0x7f);
      this.headerBytes = [];
      if (length > this.maxPacketBytes) {
        return done(new PacketTooLargeError(length, this.maxPacketBytes));
      }
      this.remainingBody = length;
    }
    done(null, chunk);
  }
}

export class PacketTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`MQTT packet of ${bytes} bytes is over the ${limit}-byte limit`);
    this.name = 'PacketTooLargeError';
  }
}
