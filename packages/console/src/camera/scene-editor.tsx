import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Camera } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorField, errorMessage } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';
import { LiveView } from '../live/live-view.js';
import { EMPTY_SCENE } from '@sightline/player';
import { SceneCanvas, type Tool } from './scene-canvas.js';
import { analyticsOf, freeId, newLine, newZone, shapesOf, type EditableShape, type Point } from './scene-model.js';
import { ShapeFields } from './shape-fields.js';
import { AppliedVersion } from './applied-version.js';
import { applyVertexAction, keyAction } from './keyboard-drawing.js';
import './editor.css';

/** The player draws no zones or lines while editing: the editor draws the draft ones itself. */
const EDIT_LAYERS = { zones: false, lines: false };

/**
 * Draw zones (polygons) and counting lines on the live picture, name them, choose classes and a confidence
 * threshold, and save: the hub bumps the device's config and the edge applies it without a restart.
 */
export function SceneEditor({ camera, onDone }: { camera: Camera; onDone: () => void }) {
  const client = useQueryClient();
  const [shapes, setShapes] = useState<EditableShape[]>(() => shapesOf(camera.config.analytics));
  const [selected, setSelected] = useState<number | undefined>(shapes.length > 0 ? 0 : undefined);
  const [tool, setTool] = useState<Tool>('select');
  const [draft, setDraft] = useState<Point[]>([]);
  const [cursor, setCursor] = useState<Point>([0.5, 0.5]);
  const [vertex, setVertex] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const canvasRef = useRef<{ focus: () => void }>(null);
  const helpId = useId();
  const save = useMutation({
    mutationFn: () => hub.cameras.update(camera.id, { analytics: analyticsOf(shapes) }),
    onSuccess: (saved) => {
      client.setQueryData(queryKeys.camera(camera.id), saved);
      void client.invalidateQueries({ queryKey: queryKeys.cameras });
    },
  });
  const dirty = useMemo(() => JSON.stringify(analyticsOf(shapes)) !== JSON.stringify(analyticsOf(shapesOf(camera.config.analytics))), [shapes, camera]);

  const finishZone = () => {
    if (draft.length < 3) return;
    const zone = newZone(freeId('zone', shapes), draft);
    setShapes((s) => [...s, zone]);
    setSelected(shapes.length);
    setDraft([]);
    setTool('select');
  };
  const cancelDraft = () => {
    setDraft([]);
    setTool('select');
  };
  /** Picks a drawing tool; from the keyboard, the picture takes the focus so the arrow keys draw at once. */
  const startTool = (next: Tool) => {
    setDraft([]);
    setTool(next);
    canvasRef.current?.focus();
  };
  const onCanvasKey = (e: ReactKeyboardEvent<SVGSVGElement>) => {
    const result = keyAction(e, { tool, draft, shapes, selected, cursor, vertex });
    if (!result) return;
    e.preventDefault();
    e.stopPropagation();
    setAnnouncement(result.announce);
    const { action } = result;
    switch (action.kind) {
      case 'moveCursor':
        setCursor(action.to);
        break;
      case 'addPoint':
        addDraftPoint(action.at);
        break;
      case 'removeLastPoint':
        setDraft((d) => d.slice(0, -1));
        break;
      case 'finishZone':
        finishZone();
        break;
      case 'cancel':
        cancelDraft();
        break;
      case 'startTool':
        startTool(action.tool);
        break;
      case 'selectShape':
        setSelected(action.index);
        setVertex(0);
        break;
      case 'selectVertex':
        setVertex(action.index);
        break;
      case 'moveVertex':
      case 'removeVertex':
      case 'insertVertex': {
        const shape = shapes[action.shape];
        if (shape) update(action.shape, applyVertexAction(shape, action));
        if (action.kind === 'insertVertex') setVertex(action.after + 1);
        if (action.kind === 'removeVertex') setVertex(Math.max(0, action.vertex - 1));
        break;
      }
      case 'say':
        break;
    }
  };
  const addDraftPoint = (point: Point) => {
    if (tool === 'line') {
      if (draft.length === 0) setDraft([point]);
      else {
        const line = newLine(freeId('line', shapes), draft[0]!, point);
        setShapes((s) => [...s, line]);
        setSelected(shapes.length);
        setDraft([]);
        setTool('select');
      }
      return;
    }
    setDraft((d) => [...d, point]);
  };
  const movePoint = (shapeIndex: number, pointIndex: number, to: Point) =>
    setShapes((all) =>
      all.map((shape, i) => {
        if (i !== shapeIndex) return shape;
        if (shape.kind === 'zone') return { ...shape, polygon: shape.polygon.map((p, j) => (j === pointIndex ? to : p)) };
        return pointIndex === 0 ? { ...shape, a: to } : { ...shape, b: to };
      }),
    );
  const update = (index: number, shape: EditableShape) => setShapes((all) => all.map((s, i) => (i === index ? shape : s)));
  const remove = (index: number) => {
    setShapes((all) => all.filter((_, i) => i !== index));
    setSelected(undefined);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (tool === 'select') return;
      // The picture handles its own keys; Enter in a field or on a button is theirs.
      if (e.target instanceof Element && e.target.closest('svg, input, select, textarea, button, a')) return;
      if (e.key === 'Enter' && tool === 'zone') finishZone();
      if (e.key === 'Escape') cancelDraft();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const field = errorField(save.error);
  return (
    <div className="editor" data-testid="scene-editor">
      <div className="editor-stage">
        <div className="toolbar" role="toolbar" aria-label="Drawing tools">
          <button type="button" className="button small" aria-pressed={tool === 'select'} onClick={cancelDraft}>
            Select
          </button>
          <button type="button" className="button small" aria-pressed={tool === 'zone'} onClick={() => startTool('zone')}>
            Draw zone
          </button>
          <button type="button" className="button small" aria-pressed={tool === 'line'} onClick={() => startTool('line')}>
            Draw line
          </button>
          {tool === 'zone' ? (
            <>
              <button type="button" className="button small primary" disabled={draft.length < 3} onClick={finishZone}>
                Finish zone ({draft.length} points)
              </button>
              <button type="button" className="button small ghost" onClick={cancelDraft}>
                Cancel
              </button>
            </>
          ) : null}
          <span className="muted small" aria-live="polite" data-testid="editor-status">
            {announcement ||
              (tool === 'zone' ? 'Click to add corners; Enter finishes, Escape cancels.' : tool === 'line' ? (draft.length === 0 ? 'Click the start of the line.' : 'Click its end.') : 'Select a shape to move its corners.')}
          </span>
        </div>
        <LiveView cameraId={camera.id} scene={EMPTY_SCENE} layers={EDIT_LAYERS} label={`Live video of ${camera.config.name ?? camera.id}, for drawing zones`}>
          <SceneCanvas
            ref={canvasRef}
            shapes={shapes}
            selected={selected}
            tool={tool}
            draft={draft}
            onSelect={(index) => {
              setSelected(index);
              setVertex(0);
            }}
            onDraftPoint={addDraftPoint}
            onMovePoint={movePoint}
            cursor={cursor}
            vertex={vertex}
            onKeyDown={onCanvasKey}
            helpId={helpId}
          />
        </LiveView>
        <details className="keyboard-help">
          <summary>Drawing with the keyboard</summary>
          <div id={helpId}>
            <p>Tab to the picture, then:</p>
            <ul>
              <li>D draws a zone, L a line. Arrow keys move the cursor (Shift: 5 %, Alt: 0.2 %); Enter adds a point; Backspace removes the last one; F (or Enter on the first corner) finishes a zone; Escape cancels.</li>
              <li>N selects the next zone or line (Shift+N the previous), V its next corner; arrow keys move that corner; I inserts a corner after it, Delete removes it; Escape selects nothing.</li>
            </ul>
          </div>
        </details>
      </div>
      <aside className="editor-panel" aria-label="Zones and lines">
        <h2>Zones and lines</h2>
        {shapes.length === 0 ? <p className="muted">None yet: with none, the whole picture counts as one zone.</p> : null}
        <ul className="shape-list">
          {shapes.map((shape, i) => (
            <li key={i} className={i === selected ? 'selected' : ''}>
              <button type="button" className="link-button" onClick={() => setSelected(i)} aria-expanded={i === selected}>
                {shape.kind === 'zone' ? '⬠' : '╱'} {shape.name || shape.id}
              </button>
              {i === selected ? <ShapeFields shape={shape} onChange={(s) => update(i, s)} onRemove={() => remove(i)} /> : null}
            </li>
          ))}
        </ul>
        {save.error ? (
          <p className="form-error" role="alert">
            {field ? `${field}: ` : ''}
            {errorMessage(save.error)}
          </p>
        ) : null}
        <div className="actions">
          <button type="button" className="button ghost" onClick={onDone}>
            Close editor
          </button>
          <button type="button" className="button primary" disabled={!dirty || save.isPending} onClick={() => save.mutate()}>
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
        </div>
        <AppliedVersion camera={camera} />
      </aside>
    </div>
  );
}
