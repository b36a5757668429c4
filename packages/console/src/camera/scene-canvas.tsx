import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
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
}

const HANDLE_RADIUS = 7;

/**
 * Zones and lines drawn over the live picture in an SVG of the picture's own size (the live view keeps the video's
 * aspect ratio, so normalized coordinates map straight onto it). Click to add points, drag handles to move them.
 */
export function SceneCanvas({ shapes, selected, tool, draft, onSelect, onDraftPoint, onMovePoint }: Props) {
  const svgRef = useRef<SVGSVGElement>(null);
  const [size, setSize] = useState({ width: 1, height: 1 });
  const [drag, setDrag] = useState<Drag>();

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
    return (
      <circle
        key={`h-${shapeIndex}-${pointIndex}`}
        className="handle"
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
      aria-label={tool === 'select' ? 'Zones and lines; drag a corner to move it' : `Click on the picture to place the ${tool}'s points`}
      onPointerUp={onBackgroundClick}
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
          <polyline points={draft.map((p) => px(p).join(',')).join(' ')} />
          {draft.map((p, j) => {
            const [x, y] = px(p);
            return <circle key={j} className="handle" cx={x} cy={y} r={HANDLE_RADIUS - 2} />;
          })}
        </g>
      ) : null}
    </svg>
  );
}
