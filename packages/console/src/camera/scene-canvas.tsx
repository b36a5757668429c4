import { forwardRef, useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { clamp01, type EditableShape, type Point } from './scene-model.js';

export type Tool = 'select' | 'zone' | 'line';

/** Which vertex is being dragged: the shape's index and the point's (for lines, 0 is a and 1 is b). */
interface Drag {
  shape: number;
  point: number;
}

interface Props {
  shapes: readonly EditableShape[];
  selected: number | undefined;
  tool: Tool;
  draft: Point[];
  onSelect: (index: number | undefined) => void;
  onDraftPoint: (point: Point) => void;
  onMovePoint: (shape: number, point: number, to: Point) => void;
  /** Keyboard drawing: where the next point goes, and which corner of the selected shape arrow keys move. */
  cursor: Point;
  vertex: number;
  onKeyDown: (e: ReactKeyboardEvent<SVGSVGElement>) => void;
  /** The id of the text that explains the keys. */
  helpId: string;
}

const HANDLE_RADIUS = 7;

/**
 * Zones and lines drawn over the live picture in an SVG of the picture's own size (the live view keeps the video's
 * aspect ratio, so normalized coordinates map straight onto it). Click to add points, drag handles to move them; or,
 * with the picture focused, draw and edit with the keyboard (see keyboard-drawing.ts): a crosshair shows the cursor
 * and the corner the arrow keys move is ringed.
 */
export const SceneCanvas = forwardRef<{ focus: () => void }, Props>(function SceneCanvas(
  { shapes, selected, tool, draft, onSelect, onDraftPoint, onMovePoint, cursor, vertex, onKeyDown, helpId },
  ref,
) {
  const svgRef = useRef<SVGSVGElement>(null);
  const [size, setSize] = useState({ width: 1, height: 1 });
  const [drag, setDrag] = useState<Drag>();
  const [focused, setFocused] = useState(false);
  useImperativeHandle(ref, () => ({ focus: () => svgRef.current?.focus() }), []);

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: Math.max(1, entry.contentRect.width), height: Math.max(1, entry.contentRect.height) });
    });
    observer.observe(svg);
    return () => observer.disconnect();
  }, []);

  const toPoint = (e: { clientX: number; clientY: number }): Point => {
    const rect = svgRef.current!.getBoundingClientRect();
    return [clamp01((e.clientX - rect.left) / rect.width), clamp01((e.clientY - rect.top) / rect.height)];
  };
  const px = ([x, y]: Point) => [x * size.width, y * size.height] as const;

  const onBackgroundClick = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (drag) return;
    if (tool === 'select') onSelect(undefined);
    else onDraftPoint(toPoint(e));
  };

  const handle = (shapeIndex: number, pointIndex: number, point: Point) => {
    const [x, y] = px(point);
    const active = focused && tool === 'select' && shapeIndex === selected && pointIndex === vertex;
    return (
      <circle
        key={`h-${shapeIndex}-${pointIndex}`}
        className={active ? 'handle active' : 'handle'}
        cx={x}
        cy={y}
        r={HANDLE_RADIUS}
        onPointerDown={(e) => {
          if (tool !== 'select') return;
          e.stopPropagation();
          (e.target as Element).setPointerCapture(e.pointerId);
          onSelect(shapeIndex);
          setDrag({ shape: shapeIndex, point: pointIndex });
        }}
        onPointerMove={(e) => {
          if (drag && drag.shape === shapeIndex && drag.point === pointIndex) onMovePoint(shapeIndex, pointIndex, toPoint(e));
        }}
        onPointerUp={(e) => {
          e.stopPropagation();
          setDrag(undefined);
        }}
      />
    );
  };

  return (
    <svg
      ref={svgRef}
      className={`scene-canvas tool-${tool}`}
      data-testid="scene-canvas"
      width="100%"
      height="100%"
      role="application"
      tabIndex={0}
      aria-roledescription="zone and line editor"
      aria-label={
        tool === 'select'
          ? `Zones and lines (${shapes.length}); drag a corner, or press N to select a shape and arrow keys to move its corners`
          : `Drawing a ${tool}: click on the picture, or move the cursor with the arrow keys and press Enter to place each point`
      }
      aria-describedby={helpId}
      onPointerUp={onBackgroundClick}
      onKeyDown={onKeyDown}
      onFocus={() => setFocused(true)}
      onBlur={() => setFocused(false)}
    >
      {shapes.map((shape, i) => {
        const isSelected = i === selected;
        const select = (e: ReactPointerEvent) => {
          if (tool !== 'select') return;
          e.stopPropagation();
          onSelect(i);
        };
        if (shape.kind === 'zone') {
          const points = shape.polygon.map((p) => px(p).join(',')).join(' ');
          const [lx, ly] = px(shape.polygon[0] ?? [0, 0]);
          return (
            <g key={shape.id + i} className={isSelected ? 'shape zone selected' : 'shape zone'}>
              <polygon points={points} onPointerUp={select} />
              <text x={lx + 6} y={ly - 6}>
                {shape.name || shape.id}
              </text>
              {isSelected ? shape.polygon.map((p, j) => handle(i, j, p)) : null}
            </g>
          );
        }
        const [ax, ay] = px(shape.a);
        const [bx, by] = px(shape.b);
        return (
          <g key={shape.id + i} className={isSelected ? 'shape line selected' : 'shape line'}>
            <line x1={ax} y1={ay} x2={bx} y2={by} onPointerUp={select} />
            <text x={ax + 6} y={ay - 6}>
              {shape.name || shape.id}
            </text>
            {isSelected ? [handle(i, 0, shape.a), handle(i, 1, shape.b)] : null}
          </g>
        );
      })}
      {draft.length > 0 ? (
        <g className="shape draft">
          <polyline points={[...draft, ...(focused ? [cursor] : [])].map((p) => px(p).join(',')).join(' ')} />
          {draft.map((p, j) => {
            const [x, y] = px(p);
            return <circle key={j} className="handle" cx={x} cy={y} r={HANDLE_RADIUS - 2} />;
          })}
        </g>
      ) : null}
      {focused && tool !== 'select' ? (
        <g className="cursor" data-testid="drawing-cursor" aria-hidden="true">
          <line x1={px(cursor)[0] - 12} y1={px(cursor)[1]} x2={px(cursor)[0] + 12} y2={px(cursor)[1]} />
          <line x1={px(cursor)[0]} y1={px(cursor)[1] - 12} x2={px(cursor)[0]} y2={px(cursor)[1] + 12} />
          <circle cx={px(cursor)[0]} cy={px(cursor)[1]} r={4} />
        </g>
      ) : null}
    </svg>
  );
});
