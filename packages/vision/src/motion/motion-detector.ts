import type { Frame } from '../frame.js';
import { RegionFinder, dropIsolatedCells } from './changed-regions.js';
import { LumaGrid, pictureRect } from './luma-grid.js';

/** [x1, y1, x2, y2] normalized to the source picture (0-1), letterbox padding excluded. */
export type MotionRegion = [number, number, number, number];

export interface MotionResult {
  /** Enough of the picture changed against the background to be worth looking at. */
  motion: boolean;
  /** Fraction of grid cells that changed, 0-1. */
  changedFraction: number;
  /** Groups of changed cells, largest first; empty when there is no motion. */
  regions: MotionRegion[];
  /**
   * The picture's brightness shifted as a whole (compensated before looking for motion), or too much of it
   * changed at once to tell objects from lighting (then no motion is reported and the background restarts).
   */
  lighting: boolean;
}

export interface MotionDetectorOptions {
  /** Width of the grayscale grid the detector works on, in cells; the block size follows from it. Default 64 (a 69 × 69 grid of 6-pixel blocks at 416 × 416). */
  gridColumns?: number;
  /** How fast the background follows the picture, per frame, (0, 0.5]. Default 0.05: a parked object fades in about 2 s at 15 fps. */
  backgroundAlpha?: number;
  /**
   * How fast the background follows cells that currently differ from it, per frame. Default 0.005: ten times
   * slower than the rest, so a passing object is not smeared into the background (which would leave a "ghost"
   * that reads as motion for seconds after it has gone), while a parked object is still absorbed in time.
   */
  foregroundAlpha?: number;
  /** Luma difference (0-255) from the background that marks a cell changed. Default 20. */
  cellThreshold?: number;
  /**
   * A cell's threshold rises to this many times its own flicker (running mean of |difference|), so cells that
   * always shimmer (high-contrast edges on a vibrating mast, foliage, compression noise) stop reading as
   * motion while a real object still does. Default 3; 0 turns it off.
   */
  noiseFactor?: number;
  /** How fast the per-cell flicker estimate follows, per frame. Default 0.02. */
  noiseAlpha?: number;
  /** Fraction of cells that must change to count as motion. Default 0.001. */
  minChangedFraction?: number;
  /** More than this fraction of cells changing at once is lighting, not motion. Default 0.5. */
  lightingFraction?: number;
  /** A median luma shift of the whole picture of at least this much (0-255) is lighting. Default 12. */
  lightingShift?: number;
  /** Cells within this many cells of each other join one region, and regions grow by it. Default 1. */
  regionDilation?: number;
  /** Ignore changed cells that have no changed neighbour (sensor noise). Default true. */
  ignoreIsolatedCells?: boolean;
}

const DEFAULTS: Required<MotionDetectorOptions> = {
  gridColumns: 64,
  backgroundAlpha: 0.05,
  foregroundAlpha: 0.005,
  cellThreshold: 20,
  noiseFactor: 3,
  noiseAlpha: 0.02,
  minChangedFraction: 0.001,
  lightingFraction: 0.5,
  lightingShift: 12,
  regionDilation: 1,
  ignoreIsolatedCells: true,
};

const STILL: MotionResult = { motion: false, changedFraction: 0, regions: [], lighting: false };

interface Workspace {
  key: string;
  grid: LumaGrid;
  background: Float32Array;
  /** Per-cell running mean of |difference|: how much each cell flickers on its own (edges under vibration, leaves). */
  noise: Float32Array;
  current: Float32Array;
  mask: Uint8Array;
  scratch: Uint8Array;
  regionFinder: RegionFinder;
  warm: boolean;
}

/**
 * Cheap change detection that decides whether a frame is worth running the object detector on.
 * Keeps a running-average background of a small grayscale copy of the picture and compares each
 * frame with it. A sudden change of most of the picture, or a shift of its overall brightness, is
 * taken for lighting (a cloud, auto-exposure, lights switched on): the background is re-based on
 * the new picture at once instead of reporting motion for the seconds it would take to adapt.
 */
export class MotionDetector {
  private readonly options: Required<MotionDetectorOptions>;
  private workspace: Workspace | undefined;
  /** Histogram of rounded differences -255..255, for the median brightness shift. */
  private readonly shiftHistogram = new Int32Array(511);

  constructor(options: MotionDetectorOptions = {}) {
    this.options = validateOptions({ ...DEFAULTS, ...definedOnly(options) });
  }

  /** Compares the frame with the background and folds it in. The first frame (or one of a new size) only sets the background. */
  update(frame: Frame): MotionResult {
    validateFrame(frame);
    const ws = this.workspaceFor(frame);
    ws.grid.sample(frame, ws.current);
    if (!ws.warm) {
      ws.background.set(ws.current);
      ws.warm = true;
      return { ...STILL, regions: [] };
    }

    const { cellThreshold, lightingFraction, lightingShift, backgroundAlpha, foregroundAlpha, noiseFactor, noiseAlpha } = this.options;
    const { background, current, mask, noise } = ws;
    const n = current.length;
    // Differences are measured after removing the picture's overall brightness shift, so auto-exposure
    // (a camera brightening when a dark car fills its view) neither reads as motion nor gets objects baked
    // into the background, as re-basing the whole background on such a frame would.
    const shift = this.medianShift(current, background);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const d = (current[i] as number) - (background[i] as number) - shift;
      const magnitude = d < 0 ? -d : d;
      const threshold = Math.max(cellThreshold, noiseFactor * (noise[i] as number));
      const hit = magnitude > threshold;
      // The flicker estimate learns from every frame but a single large change (an object) moves it little.
      noise[i] = (noise[i] as number) + noiseAlpha * (Math.min(magnitude, 2 * threshold) - (noise[i] as number));
      mask[i] = hit ? 1 : 0;
      if (hit) changed++;
    }

    const rawFraction = changed / n;
    if (rawFraction > lightingFraction) {
      // Most of the picture changed in different ways at once (lights switched on): start again from it.
      background.set(current);
      noise.fill(0);
      return { motion: false, changedFraction: rawFraction, regions: [], lighting: true };
    }
    // Selective update: changed cells follow slowly, the rest at the normal rate, after the global shift.
    for (let i = 0; i < n; i++) {
      const b = (background[i] as number) + shift;
      background[i] = b + (mask[i] ? foregroundAlpha : backgroundAlpha) * ((current[i] as number) - b);
    }
    const lighting = Math.abs(shift) >= lightingShift;

    const kept = this.options.ignoreIsolatedCells ? dropIsolatedCells(mask, ws.grid.columns, ws.grid.rows, ws.scratch) : changed;
    const changedFraction = kept / n;
    const motion = kept > 0 && changedFraction >= this.options.minChangedFraction;
    return { motion, changedFraction, regions: motion ? this.regions(ws) : [], lighting };
  }

  /** Forgets the background; the next frame starts afresh (after a seek or a reconnect). */
  reset(): void {
    this.workspace = undefined;
  }

  /**
   * The median difference between the frame and the background, in luma levels: how much the whole
   * picture got brighter or darker, unmoved by objects covering less than half of it. Every fourth
   * cell is plenty for a median, at a quarter of the cost.
   */
  private medianShift(current: Float32Array, background: Float32Array): number {
    const histogram = this.shiftHistogram;
    histogram.fill(0);
    let count = 0;
    for (let i = 0; i < current.length; i += 4, count++) {
      const d = (current[i] as number) - (background[i] as number);
      // Clamped to the histogram, then + 255.5 truncated rounds d to the nearest level.
      histogram[(Math.min(255, Math.max(-255, d)) + 255.5) | 0]!++;
    }
    const half = count / 2;
    let seen = 0;
    for (let bin = 0; bin < histogram.length; bin++) {
      seen += histogram[bin] as number;
      if (seen >= half) return bin - 255;
    }
    return 0;
  }

  private regions(ws: Workspace): MotionRegion[] {
    const { grid } = ws;
    const { width, height } = grid.picture;
    const cellW = grid.block / width;
    const cellH = grid.block / height;
    return ws.regionFinder.find(ws.mask).map((r) => [
      r.x1 * cellW,
      r.y1 * cellH,
      Math.min(1, (r.x2 + 1) * cellW),
      Math.min(1, (r.y2 + 1) * cellH),
    ]);
  }

  private workspaceFor(frame: Frame): Workspace {
    const picture = pictureRect(frame);
    const key = `${frame.width}x${frame.height}:${picture.x},${picture.y},${picture.width},${picture.height}`;
    if (this.workspace?.key === key) return this.workspace;
    const grid = new LumaGrid(picture, frame.width, this.options.gridColumns);
    const cells = grid.cellCount;
    this.workspace = {
      key,
      grid,
      background: new Float32Array(cells),
      noise: new Float32Array(cells),
      current: new Float32Array(cells),
      mask: new Uint8Array(cells),
      scratch: new Uint8Array(cells),
      regionFinder: new RegionFinder(grid.columns, grid.rows, this.options.regionDilation),
      warm: false,
    };
    return this.workspace;
  }
}


function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function validateOptions(o: Required<MotionDetectorOptions>): Required<MotionDetectorOptions> {
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`motion detector: ${what}`);
  };
  check(Number.isInteger(o.gridColumns) && o.gridColumns >= 4, `gridColumns must be an integer >= 4, got ${o.gridColumns}`);
  check(o.backgroundAlpha > 0 && o.backgroundAlpha <= 0.5, `backgroundAlpha must be in (0, 0.5], got ${o.backgroundAlpha}`);
  check(o.foregroundAlpha >= 0 && o.foregroundAlpha <= o.backgroundAlpha, `foregroundAlpha must be in [0, backgroundAlpha], got ${o.foregroundAlpha}`);
  check(o.noiseFactor >= 0, `noiseFactor must be >= 0, got ${o.noiseFactor}`);
  check(o.noiseAlpha >= 0 && o.noiseAlpha <= 1, `noiseAlpha must be in [0, 1], got ${o.noiseAlpha}`);
  check(o.cellThreshold > 0 && o.cellThreshold < 255, `cellThreshold must be in (0, 255), got ${o.cellThreshold}`);
  check(o.minChangedFraction >= 0 && o.minChangedFraction <= 1, `minChangedFraction must be in [0, 1], got ${o.minChangedFraction}`);
  check(o.lightingFraction > 0 && o.lightingFraction <= 1, `lightingFraction must be in (0, 1], got ${o.lightingFraction}`);
  check(o.lightingShift > 0, `lightingShift must be positive, got ${o.lightingShift}`);
  check(Number.isInteger(o.regionDilation) && o.regionDilation >= 0, `regionDilation must be a non-negative integer, got ${o.regionDilation}`);
  return o;
}

function validateFrame(frame: Frame): void {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new RangeError(`motion detector: frame size must be positive integers, got ${width}x${height}`);
  }
  if (frame.pixelFormat !== 'rgb24' && frame.pixelFormat !== 'bgr24') {
    throw new RangeError(`motion detector: unsupported pixel format ${String(frame.pixelFormat)}`);
  }
  if (data.length < width * height * 3) {
    throw new RangeError(`motion detector: frame buffer holds ${data.length} bytes, a ${width}x${height} ${frame.pixelFormat} frame needs ${width * height * 3}`);
  }
}
