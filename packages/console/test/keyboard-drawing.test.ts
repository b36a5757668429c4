import { describe, expect, it } from 'vitest';
import { applyVertexAction, keyAction, type KeyboardContext, type KeyPress } from '../src/camera/keyboard-drawing.js';
import { newLine, newZone, type EditableShape, type Point } from '../src/camera/scene-model.js';

const drawing = (overrides: Partial<KeyboardContext> = {}): KeyboardContext => ({ tool: 'zone', draft: [], shapes: [], selected: undefined, cursor: [0.5, 0.5], vertex: 0, ...overrides });
const press = (key: string, mods: Omit<KeyPress, 'key'> = {}): KeyPress => ({ key, ...mods });

/** Plays key presses through keyAction, applying each action the way the editor does. */
function play(keys: KeyPress[], start: KeyboardContext) {
  let ctx = { ...start, draft: [...start.draft], shapes: [...start.shapes] };
  const said: string[] = [];
  for (const k of keys) {
    const result = keyAction(k, ctx);
    if (!result) continue;
    said.push(result.announce);
    const a = result.action;
    if (a.kind === 'moveCursor') ctx.cursor = a.to;
    if (a.kind === 'addPoint') {
      if (ctx.tool === 'line' && ctx.draft.length === 1) {
        ctx.shapes = [...ctx.shapes, newLine('line-1', ctx.draft[0]!, a.at)];
        ctx = { ...ctx, draft: [], tool: 'select' };
      } else ctx.draft = [...ctx.draft, a.at];
    }
    if (a.kind === 'removeLastPoint') ctx.draft = ctx.draft.slice(0, -1);
    if (a.kind === 'finishZone') ctx = { ...ctx, shapes: [...ctx.shapes, newZone('zone-1', ctx.draft)], draft: [], tool: 'select', selected: ctx.shapes.length };
    if (a.kind === 'cancel') ctx = { ...ctx, draft: [], tool: 'select' };
    if (a.kind === 'startTool') ctx = { ...ctx, tool: a.tool, draft: [] };
    if (a.kind === 'selectShape') ctx = { ...ctx, selected: a.index, vertex: 0 };
    if (a.kind === 'selectVertex') ctx.vertex = a.index;
    if (a.kind === 'moveVertex' || a.kind === 'removeVertex' || a.kind === 'insertVertex') {
      ctx.shapes = ctx.shapes.map((s, i) => (i === a.shape ? applyVertexAction(s, a) : s));
      if (a.kind === 'insertVertex') ctx.vertex = a.after + 1;
    }
  }
  return { ctx, said };
}

const repeat = (n: number, k: KeyPress) => Array.from({ length: n }, () => k);

describe('drawing zones and lines with the keyboard', () => {
  it('draws a zone: arrows move the cursor, Enter adds corners, Backspace takes one back, F finishes', () => {
    const keys = [
      ...repeat(4, press('ArrowLeft', { shiftKey: true })), // 0.3, 0.5
      press('Enter'),
      ...repeat(2, press('ArrowRight', { shiftKey: true })), // 0.4, 0.5
      press('Enter'),
      press('ArrowDown', { shiftKey: true }), // 0.4, 0.55
      press('Enter'),
      press('Backspace'),
      press('ArrowDown'), // 0.4, 0.56
      press(' '),
      press('f'),
    ];
    const { ctx, said } = play(keys, drawing());
    expect(ctx.tool).toBe('select');
    expect(ctx.shapes).toHaveLength(1);
    const zone = ctx.shapes[0] as Extract<EditableShape, { kind: 'zone' }>;
    expect(zone.polygon).toEqual([
      [0.3, 0.5],
      [0.4, 0.5],
      [0.4, 0.56],
    ]);
    expect(said).toContain('Corner 1 at 30 %, 50 %');
    expect(said).toContain('Point 3 removed');
    expect(said[said.length - 1]).toBe('Zone finished with 3 corners');
  });

  it('closes a zone with Enter on its first corner, and refuses to finish one with fewer than 3 corners', () => {
    const early = keyAction(press('f'), drawing({ draft: [[0.1, 0.1], [0.2, 0.1]] }));
    expect(early).toEqual({ action: { kind: 'say' }, announce: 'A zone needs at least 3 corners; it has 2' });
    const draft: Point[] = [[0.1, 0.1], [0.3, 0.1], [0.3, 0.3]];
    expect(keyAction(press('Enter'), drawing({ draft, cursor: [0.105, 0.1] }))?.action).toEqual({ kind: 'finishZone' });
    expect(keyAction(press('Enter', { ctrlKey: true }), drawing({ draft, cursor: [0.9, 0.9] }))?.action).toEqual({ kind: 'finishZone' });
    expect(keyAction(press('Enter'), drawing({ draft, cursor: [0.9, 0.9] }))?.action).toEqual({ kind: 'addPoint', at: [0.9, 0.9] });
  });

  it('draws a line with two Enters, keeps the cursor inside the picture, and Escape cancels', () => {
    const { ctx, said } = play([press('l'), ...repeat(30, press('ArrowUp', { shiftKey: true })), press('Enter'), ...repeat(3, press('ArrowRight', { shiftKey: true })), press('Enter')], drawing({ tool: 'select' }));
    expect(ctx.shapes).toEqual([newLine('line-1', [0.5, 0], [0.65, 0])]);
    expect(said[0]).toMatch(/^Drawing a line/);
    expect(said[said.length - 1]).toBe('Line ends at 65 %, 0 %; line added');
    expect(keyAction(press('ArrowLeft', { altKey: true }), drawing())?.action).toEqual({ kind: 'moveCursor', to: [0.498, 0.5] });
    expect(keyAction(press('Escape'), drawing({ tool: 'line', draft: [[0.2, 0.2]] }))).toEqual({ action: { kind: 'cancel' }, announce: 'Line cancelled' });
    // Keys that are not the editor's are left to the page (Tab moves on).
    expect(keyAction(press('Tab'), drawing())).toBeUndefined();
    expect(keyAction(press('x'), drawing({ tool: 'select' }))).toBeUndefined();
  });

  it('edits a shape: N selects it, V picks a corner, arrows move it, I inserts one, Delete removes one', () => {
    const zone = newZone('door', [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]]);
    const line = newLine('gate', [0, 0.8], [1, 0.8]);
    const start = drawing({ tool: 'select', shapes: [zone, line] });
    const { ctx, said } = play(
      [
        press('n'), // the zone, corner 1
        press('v'), // corner 2 (0.5, 0.1)
        press('ArrowDown', { shiftKey: true }), // → (0.5, 0.15)
        press('i'), // corner 3 between (0.5, 0.15) and (0.5, 0.5)
        press('ArrowRight'), // (0.51, 0.325)
        press('v'), // corner 4: (0.5, 0.5)
        press('Delete'),
        press('n'), // the line
        press('v', { shiftKey: true }), // its end b
        press('ArrowUp'),
      ],
      start,
    );
    expect((ctx.shapes[0] as Extract<EditableShape, { kind: 'zone' }>).polygon).toEqual([
      [0.1, 0.1],
      [0.5, 0.15],
      [0.51, 0.325],
    ]);
    expect(ctx.shapes[1]).toMatchObject({ a: [0, 0.8], b: [1, 0.79] });
    expect(said[0]).toBe('zone door selected, corner 1 of 3 at 10 %, 10 %');
    expect(said).toContain('Corner 3 inserted at 50 %, 33 %');
    expect(said).toContain('Corner 4 removed; 3 left');
    // A zone keeps three corners; Escape selects nothing; without a selection the arrows say what to do.
    expect(keyAction(press('Delete'), { ...start, selected: 0 })?.announce).toBe('A zone keeps at least 3 corners');
    expect(keyAction(press('Escape'), { ...start, selected: 1 })?.action).toEqual({ kind: 'selectShape', index: undefined });
    expect(keyAction(press('ArrowUp'), start)?.announce).toBe('Press N to select a zone or line');
    expect(keyAction(press('n', { shiftKey: true }), start)?.action).toEqual({ kind: 'selectShape', index: 1 });
  });
});
