import { clamp01, type EditableShape, type Point } from './scene-model.js';
import type { Tool } from './scene-canvas.js';

/** A key press as the editor sees it (a KeyboardEvent has these). */
export interface KeyPress {
  key: string;
  shiftKey?: boolean;
  altKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
}

export interface KeyboardContext {
  tool: Tool;
  draft: readonly Point[];
  shapes: readonly EditableShape[];
  selected: number | undefined;
  /** Where the next point goes while drawing. */
  cursor: Point;
  /** The corner of the selected shape that arrow keys move. */
  vertex: number;
}

export type KeyAction =
  | { kind: 'moveCursor'; to: Point }
  | { kind: 'addPoint'; at: Point }
  | { kind: 'removeLastPoint' }
  | { kind: 'finishZone' }
  | { kind: 'cancel' }
  | { kind: 'selectShape'; index: number | undefined }
  | { kind: 'selectVertex'; index: number }
  | { kind: 'moveVertex'; shape: number; vertex: number; to: Point }
  | { kind: 'removeVertex'; shape: number; vertex: number }
  | { kind: 'insertVertex'; shape: number; after: number; at: Point }
  | { kind: 'startTool'; tool: 'zone' | 'line' }
  | { kind: 'say' };

/** What a key does, and what to tell the person (for the live region); undefined: the key is not the editor's. */
export interface KeyResult {
  action: KeyAction;
  announce: string;
}

/** Arrow steps in normalized picture units: 1 %, 5 % with Shift, 0.2 % with Alt. */
export function stepOf(press: KeyPress): number {
  return press.shiftKey ? 0.05 : press.altKey ? 0.002 : 0.01;
}

const ARROWS: Record<string, Point> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** Closing a zone by adding a point this close to its first one. */
const CLOSE_DISTANCE = 0.015;

export const percent = ([x, y]: Point) => `${Math.round(x * 100)} %, ${Math.round(y * 100)} %`;

function moved(point: Point, press: KeyPress): Point {
  const [dx, dy] = ARROWS[press.key]!;
  const step = stepOf(press);
  return [clamp01(Math.round((point[0] + dx * step) * 1000) / 1000), clamp01(Math.round((point[1] + dy * step) * 1000) / 1000)];
}

export function pointsOf(shape: EditableShape): Point[] {
  return shape.kind === 'zone' ? shape.polygon : [shape.a, shape.b];
}

const nameOf = (shape: EditableShape) => `${shape.kind} ${shape.name || shape.id}`;

/** The keyboard's part of the zone and line editor: drawing with a cursor, and moving the corners of a shape. */
export function keyAction(press: KeyPress, ctx: KeyboardContext): KeyResult | undefined {
  return ctx.tool === 'select' ? selectKey(press, ctx) : drawKey(press, ctx);
}

function drawKey(press: KeyPress, ctx: KeyboardContext): KeyResult | undefined {
  const isZone = ctx.tool === 'zone';
  if (press.key in ARROWS) {
    const to = moved(ctx.cursor, press);
    return { action: { kind: 'moveCursor', to }, announce: `Cursor ${percent(to)}` };
  }
  const finish = (): KeyResult =>
    ctx.draft.length >= 3
      ? { action: { kind: 'finishZone' }, announce: `Zone finished with ${ctx.draft.length} corners` }
      : { action: { kind: 'say' }, announce: `A zone needs at least 3 corners; it has ${ctx.draft.length}` };
  if (isZone && (press.key === 'f' || press.key === 'F' || (press.key === 'Enter' && (press.ctrlKey || press.metaKey)))) return finish();
  if (press.key === 'Enter' || press.key === ' ') {
    const first = ctx.draft[0];
    if (isZone && first && ctx.draft.length >= 3 && Math.hypot(first[0] - ctx.cursor[0], first[1] - ctx.cursor[1]) < CLOSE_DISTANCE) return finish();
    if (!isZone && ctx.draft.length === 1) return { action: { kind: 'addPoint', at: ctx.cursor }, announce: `Line ends at ${percent(ctx.cursor)}; line added` };
    const n = ctx.draft.length + 1;
    return {
      action: { kind: 'addPoint', at: ctx.cursor },
      announce: isZone ? `Corner ${n} at ${percent(ctx.cursor)}${n >= 3 ? '; F finishes the zone' : ''}` : `Line starts at ${percent(ctx.cursor)}`,
    };
  }
  if (press.key === 'Backspace' || press.key === 'Delete') {
    if (ctx.draft.length === 0) return { action: { kind: 'say' }, announce: 'No point to remove' };
    return { action: { kind: 'removeLastPoint' }, announce: `Point ${ctx.draft.length} removed` };
  }
  if (press.key === 'Escape') return { action: { kind: 'cancel' }, announce: `${isZone ? 'Zone' : 'Line'} cancelled` };
  return undefined;
}

function selectKey(press: KeyPress, ctx: KeyboardContext): KeyResult | undefined {
  const key = press.key.toLowerCase();
  const plain = !press.ctrlKey && !press.metaKey && !press.altKey;
  if (plain && key === 'd') return { action: { kind: 'startTool', tool: 'zone' }, announce: `Drawing a zone: cursor at ${percent(ctx.cursor)}; arrows move it, Enter adds a corner` };
  if (plain && key === 'l') return { action: { kind: 'startTool', tool: 'line' }, announce: `Drawing a line: cursor at ${percent(ctx.cursor)}; arrows move it, Enter places its start` };
  if (key === 'n' && !press.ctrlKey && !press.metaKey) {
    if (ctx.shapes.length === 0) return { action: { kind: 'say' }, announce: 'No zones or lines yet: D draws a zone, L a line' };
    const count = ctx.shapes.length;
    const index = ctx.selected === undefined ? (press.shiftKey ? count - 1 : 0) : (ctx.selected + (press.shiftKey ? -1 : 1) + count) % count;
    const shape = ctx.shapes[index]!;
    const first = pointsOf(shape)[0]!;
    return { action: { kind: 'selectShape', index }, announce: `${nameOf(shape)} selected, corner 1 of ${pointsOf(shape).length} at ${percent(first)}` };
  }
  if (ctx.selected === undefined) {
    if (press.key in ARROWS || key === 'v') return { action: { kind: 'say' }, announce: 'Press N to select a zone or line' };
    return undefined;
  }
  const shape = ctx.shapes[ctx.selected];
  if (!shape) return undefined;
  const points = pointsOf(shape);
  const vertex = Math.min(ctx.vertex, points.length - 1);
  if (key === 'v' && !press.ctrlKey && !press.metaKey) {
    const index = (vertex + (press.shiftKey ? -1 : 1) + points.length) % points.length;
    return { action: { kind: 'selectVertex', index }, announce: `Corner ${index + 1} of ${points.length} at ${percent(points[index]!)}` };
  }
  if (press.key in ARROWS) {
    const to = moved(points[vertex]!, press);
    return { action: { kind: 'moveVertex', shape: ctx.selected, vertex, to }, announce: `Corner ${vertex + 1} at ${percent(to)}` };
  }
  if (shape.kind === 'zone' && (press.key === 'Backspace' || press.key === 'Delete')) {
    if (points.length <= 3) return { action: { kind: 'say' }, announce: 'A zone keeps at least 3 corners' };
    return { action: { kind: 'removeVertex', shape: ctx.selected, vertex }, announce: `Corner ${vertex + 1} removed; ${points.length - 1} left` };
  }
  if (shape.kind === 'zone' && (key === 'i' || press.key === 'Insert')) {
    const a = points[vertex]!;
    const b = points[(vertex + 1) % points.length]!;
    const at: Point = [Math.round(((a[0] + b[0]) / 2) * 1000) / 1000, Math.round(((a[1] + b[1]) / 2) * 1000) / 1000];
    return { action: { kind: 'insertVertex', shape: ctx.selected, after: vertex, at }, announce: `Corner ${vertex + 2} inserted at ${percent(at)}` };
  }
  if (press.key === 'Escape') return { action: { kind: 'selectShape', index: undefined }, announce: 'Nothing selected' };
  return undefined;
}

/** A shape with one corner moved, removed or inserted (for lines, 0 is a and 1 is b). */
export function applyVertexAction(shape: EditableShape, action: KeyAction): EditableShape {
  if (action.kind === 'moveVertex') {
    if (shape.kind === 'zone') return { ...shape, polygon: shape.polygon.map((p, j) => (j === action.vertex ? action.to : p)) };
    return action.vertex === 0 ? { ...shape, a: action.to } : { ...shape, b: action.to };
  }
  if (shape.kind !== 'zone') return shape;
  if (action.kind === 'removeVertex') return { ...shape, polygon: shape.polygon.filter((_, j) => j !== action.vertex) };
  if (action.kind === 'insertVertex') return { ...shape, polygon: [...shape.polygon.slice(0, action.after + 1), action.at, ...shape.polygon.slice(action.after + 1)] };
  return shape;
}
