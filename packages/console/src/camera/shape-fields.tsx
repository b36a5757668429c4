import type { EditableShape } from './scene-model.js';
import { Field } from '../ui/field.js';

/** Name, id, classes and threshold of one zone or line. */
export function ShapeFields({ shape, onChange, onRemove }: { shape: EditableShape; onChange: (shape: EditableShape) => void; onRemove: () => void }) {
  return (
    <div className="shape-fields">
      <Field label="Id" hint="Events name it; letters, digits, dot, dash, underscore.">
        {(props) => <input {...props} name="shapeId" value={shape.id} onChange={(e) => onChange({ ...shape, id: e.target.value })} />}
      </Field>
      <Field label="Name">
        {(props) => <input {...props} name="shapeName" value={shape.name} onChange={(e) => onChange({ ...shape, name: e.target.value })} />}
      </Field>
      <Field label="Classes" hint="Comma-separated, e.g. person, car. Empty: every class.">
        {(props) => <input {...props} name="shapeClasses" value={shape.classes} onChange={(e) => onChange({ ...shape, classes: e.target.value })} />}
      </Field>
      <Field label={`Minimum confidence: ${Math.round(shape.minConfidence * 100)} %`}>
        {(props) => (
          <input
            {...props}
            name="shapeConfidence"
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={shape.minConfidence}
            onChange={(e) => onChange({ ...shape, minConfidence: Number(e.target.value) })}
          />
        )}
      </Field>
      {shape.kind === 'zone' ? (
        <Field label="Loitering after (seconds, optional)">
          {(props) => (
            <input
              {...props}
              name="shapeLoiter"
              type="number"
              min={0}
              value={shape.loiterSeconds ?? ''}
              onChange={(e) => onChange({ ...shape, loiterSeconds: e.target.value === '' ? undefined : Number(e.target.value) })}
            />
          )}
        </Field>
      ) : (
        <label className="checkbox">
          <input type="checkbox" checked={shape.invert} onChange={(e) => onChange({ ...shape, invert: e.target.checked })} /> Swap in and out
        </label>
      )}
      <button type="button" className="button small danger" onClick={onRemove}>
        Delete {shape.kind}
      </button>
    </div>
  );
}
