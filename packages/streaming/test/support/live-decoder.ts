import { RawVideoDecoder, TsTap, type AccessUnit, type PictureFeed, type RawPicture } from '@sightline/media';

export interface DecodedFrame {
  /** The access unit it was decoded from. */
  unit: AccessUnit;
  picture: RawPicture;
  decodedAt: number;
}

const PTS_MODULUS = 2 ** 33;

/**
 * Decodes a picture source the way media's consumers do (TsTap → RawVideoDecoder: MPEG-TS with the source's pts, I420
 * out with showinfo pts), so each decoded frame is matched to the access unit it came from, for reading colours and
 * timing what was captured.
 */
export class LiveDecoder {
  readonly frames: DecodedFrame[] = [];
  readonly #decoder = new RawVideoDecoder();
  readonly #units = new Map<number, AccessUnit>();
  readonly #unsubscribe: () => void;

  constructor(source: PictureFeed) {
    // Remember every unit by its MPEG-TS pts, which is what comes back from the decoder.
    this.#unsubscribe = source.subscribe((unit) => this.#units.set(unit.pts % PTS_MODULUS, unit), { replay: true });
    this.#decoder.on('picture', (picture) => {
      const unit = this.#units.get(picture.pts);
      if (unit) this.frames.push({ unit, picture, decodedAt: Date.now() });
    });
    // An intra-refresh stream has no keyframe to skip to: never let the tap drop pictures.
    this.#decoder.start(new TsTap(source).open({ maxLagMs: 60_000 }));
  }

  get latest(): DecodedFrame | undefined {
    return this.frames.at(-1);
  }

  /** Resolves with the first frame (from now on, or already decoded when `includeOld`) that matches. */
  async waitFor(match: (frame: DecodedFrame) => boolean, timeoutMs: number, includeOld = false): Promise<DecodedFrame> {
    let index = includeOld ? 0 : this.frames.length;
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      for (; index < this.frames.length; index++) if (match(this.frames[index]!)) return this.frames[index]!;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no matching frame within ${timeoutMs} ms (${this.frames.length} decoded)`);
  }

  close(): void {
    this.#unsubscribe();
    this.#decoder.stop();
  }
}

/** The colour at a point given in 0..1 of the picture, as [r, g, b] (BT.601 limited range, as x264 encodes it). */
export function colourAt(frame: DecodedFrame, x: number, y: number): [number, number, number] {
  const { width, height, data } = frame.picture;
  const px = Math.min(width - 1, Math.floor(x * width));
  const py = Math.min(height - 1, Math.floor(y * height));
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const Y = data[py * width + px]! - 16;
  const U = data[width * height + (py >> 1) * cw + (px >> 1)]! - 128;
  const V = data[width * height + cw * ch + (py >> 1) * cw + (px >> 1)]! - 128;
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  return [clamp(1.164 * Y + 1.596 * V), clamp(1.164 * Y - 0.392 * U - 0.813 * V), clamp(1.164 * Y + 2.017 * U)];
}
