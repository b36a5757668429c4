import type { LiveOverlayFrame, OverlayObject } from '@sightline/protocol';
import { classColour, cssColour, sceneColour, textColourOn, trackColour, type Rgb } from './colours.js';
import { lineArrow } from './line-arrow.js';
import type { Scene } from './scene.js';
import { FrameToDisplay, type Rect } from './video-fit.js';

/** What is drawn; every layer can be switched off. */
export interface OverlayLayers {
  boxes: boolean;
  /** Class label and score. */
  labels: boolean;
  trackIds: boolean;
  zones: boolean;
  lines: boolean;
}

export const ALL_LAYERS: OverlayLayers = { boxes: true, labels: true, trackIds: true, zones: true, lines: true };

/** Line widths and text sizes in CSS pixels: the canvas is scaled for devicePixelRatio before drawing. */
const BOX_LINE_WIDTH = 2;
const SCENE_LINE_WIDTH = 2;
const FONT_PX = 12;
const LABEL_PADDING = 3;
const ARROW_LENGTH = 18;

/** The colour an object is drawn in: its track's, or its class's before the tracker confirmed it. */
export function objectColour(object: OverlayObject): Rgb {
  return object.trackId !== undefined ? trackColour(object.trackId) : classColour(object.classId);
}

function labelText(object: OverlayObject, layers: OverlayLayers): string {
  const parts: string[] = [];
  if (layers.trackIds && object.trackId !== undefined) parts.push(`#${object.trackId}`);
  if (layers.labels) parts.push(`${object.label} ${Math.round(object.score * 100)}%`);
  return parts.join(' ');
}

function drawTag(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, colour: Rgb, above: boolean, bounds: Rect): void {
  const width = ctx.measureText(text).width + 2 * LABEL_PADDING;
  const height = FONT_PX + 2 * LABEL_PADDING;
  // Above the box when it fits inside the picture, else just inside its top edge.
  const top = above && y - height >= bounds.y ? y - height : y;
  const left = Math.min(Math.max(x, bounds.x), Math.max(bounds.x, bounds.x + bounds.width - width));
  ctx.fillStyle = cssColour(colour);
  ctx.fillRect(left, top, width, height);
  ctx.fillStyle = textColourOn(colour);
  ctx.fillText(text, left + LABEL_PADDING, top + LABEL_PADDING);
}

/** Boxes, labels and track ids of one overlay frame. */
export function drawObjects(ctx: CanvasRenderingContext2D, frame: LiveOverlayFrame, displayed: Rect, layers: OverlayLayers): void {
  const map = new FrameToDisplay(frame, displayed);
  ctx.lineWidth = BOX_LINE_WIDTH;
  ctx.font = `${FONT_PX}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (const object of frame.objects) {
    const colour = objectColour(object);
    const [x1, y1, x2, y2] = object.box;
    const left = map.x(x1);
    const top = map.y(y1);
    if (layers.boxes) {
      ctx.strokeStyle = cssColour(colour);
      ctx.strokeRect(left, top, map.x(x2) - left, map.y(y2) - top);
    }
    const text = labelText(object, layers);
    if (text) drawTag(ctx, text, left - BOX_LINE_WIDTH / 2, top - BOX_LINE_WIDTH / 2, colour, true, displayed);
  }
}

function drawName(ctx: CanvasRenderingContext2D, name: string, x: number, y: number, colour: Rgb): void {
  ctx.font = `${FONT_PX}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  ctx.lineWidth = 3;
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.7)';
  ctx.strokeText(name, x, y);
  ctx.fillStyle = cssColour(colour);
  ctx.fillText(name, x, y);
  ctx.textAlign = 'start';
}

/** Zones as translucent polygons with their names; lines with an arrow towards the side that counts as "in". */
export function drawScene(ctx: CanvasRenderingContext2D, scene: Scene, displayed: Rect, layers: OverlayLayers): void {
  const map = new FrameToDisplay({ width: 1, height: 1 }, displayed);
  if (layers.zones) {
    scene.zones.forEach((zone, index) => {
      const colour = sceneColour(index);
      const points = zone.polygon.map((p) => map.normalized(p));
      ctx.beginPath();
      points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
      ctx.closePath();
      ctx.fillStyle = cssColour(colour, 0.18);
      ctx.fill();
      ctx.lineWidth = SCENE_LINE_WIDTH;
      ctx.strokeStyle = cssColour(colour, 0.9);
      ctx.stroke();
      const cx = points.reduce((sum, [x]) => sum + x, 0) / points.length;
      const cy = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
      drawName(ctx, zone.name ?? zone.id, cx, cy, colour);
    });
  }
  if (layers.lines) {
    scene.lines.forEach((line, index) => {
      const colour = sceneColour(scene.zones.length + index);
      const a = map.normalized(line.a);
      const b = map.normalized(line.b);
      ctx.lineWidth = SCENE_LINE_WIDTH;
      ctx.strokeStyle = cssColour(colour);
      ctx.beginPath();
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(b[0], b[1]);
      const arrow = lineArrow(a, b, line.invert === true, ARROW_LENGTH);
      if (arrow) {
        ctx.moveTo(arrow.from[0], arrow.from[1]);
        ctx.lineTo(arrow.to[0], arrow.to[1]);
        ctx.moveTo(arrow.head[0][0], arrow.head[0][1]);
        ctx.lineTo(arrow.to[0], arrow.to[1]);
        ctx.lineTo(arrow.head[1][0], arrow.head[1][1]);
      }
      ctx.stroke();
      drawName(ctx, line.name ?? line.id, a[0], a[1] - FONT_PX, colour);
    });
  }
}
