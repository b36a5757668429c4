import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Camera, Device } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorField, errorMessage } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';
import { Dialog } from '../ui/dialog.js';
import { Field } from '../ui/field.js';

type RecordingMode = 'off' | 'continuous' | 'events';

interface FormState {
  id: string;
  name: string;
  deviceId: string;
  source: string;
  model: string;
  fps: string;
  recording: RecordingMode;
}

function initialState(camera: Camera | undefined, devices: readonly Device[]): FormState {
  return {
    id: camera?.id ?? '',
    name: camera?.config.name ?? '',
    deviceId: camera?.deviceId ?? devices[0]?.id ?? '',
    source: camera?.config.source ?? '',
    model: camera?.config.model ?? 'yolox-nano',
    fps: String(camera?.config.fps ?? 5),
    recording: camera?.config.recording?.mode ?? 'off',
  };
}

/** The form field an API error names: `recording.mode` belongs to the recording select, and so on. */
function fieldOf(apiField: string | undefined): keyof FormState | 'form' {
  const head = apiField?.split(/[.[]/)[0];
  if (head === 'recording') return 'recording';
  if (head && ['id', 'name', 'deviceId', 'source', 'model', 'fps'].includes(head)) return head as keyof FormState;
  return 'form';
}

/**
 * Adds a camera, or edits one (PATCH: only what the form shows, so zones, privacy and the rest stay). Validation is
 * the hub's (the protocol's zod schemas): its message appears under the field it names.
 */
export function CameraFormDialog({ open, onClose, camera, devices }: { open: boolean; onClose: () => void; camera?: Camera; devices: readonly Device[] }) {
  const client = useQueryClient();
  const [state, setState] = useState<FormState>(() => initialState(camera, devices));
  const set = (key: keyof FormState) => (e: { target: { value: string } }) => setState((s) => ({ ...s, [key]: e.target.value }));
  const save = useMutation({
    mutationFn: () => {
      const fps = state.fps.trim() === '' ? undefined : Number(state.fps);
      const recording = { ...camera?.config.recording, mode: state.recording };
      const common = { source: state.source, model: state.model, fps, recording, ...(state.name ? { name: state.name } : {}) };
      return camera ? hub.cameras.update(camera.id, common) : hub.cameras.create({ id: state.id, deviceId: state.deviceId, ...common });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: queryKeys.cameras });
      await client.invalidateQueries({ queryKey: queryKeys.devices });
      onClose();
    },
  });
  const errorFor = (key: keyof FormState) => (save.error && fieldOf(errorField(save.error)) === key ? errorMessage(save.error) : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Dialog title={camera ? `Edit camera ${camera.id}` : 'Add a camera'} open={open} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <div className="form-grid">
          <Field label="Camera id" error={errorFor('id')} hint={camera ? undefined : 'Used in the API and in events; it cannot change later.'}>
            {(props) => <input {...props} name="cameraId" value={state.id} onChange={set('id')} disabled={Boolean(camera)} required />}
          </Field>
          <Field label="Name (optional)" error={errorFor('name')}>
            {(props) => <input {...props} name="cameraName" value={state.name} onChange={set('name')} />}
          </Field>
          <Field label="Device" error={errorFor('deviceId')}>
            {(props) => (
              <select {...props} name="deviceId" value={state.deviceId} onChange={set('deviceId')} disabled={Boolean(camera)}>
                {devices.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name ?? d.id}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Source URL" error={errorFor('source')} hint="rtsp://…, http(s)://…, a file path on the edge, /dev/video0 or lavfi:…">
            {(props) => <input {...props} name="source" value={state.source} onChange={set('source')} required />}
          </Field>
          <Field label="Model" error={errorFor('model')} hint="A catalogue name (yolox-nano) or a model package path on the edge.">
            {(props) => <input {...props} name="model" value={state.model} onChange={set('model')} />}
          </Field>
          <Field label="Analysis fps" error={errorFor('fps')}>
            {(props) => <input {...props} name="fps" type="number" step="any" min="0" value={state.fps} onChange={set('fps')} />}
          </Field>
          <Field label="Recording" error={errorFor('recording')}>
            {(props) => (
              <select {...props} name="recording" value={state.recording} onChange={set('recording')}>
                <option value="off">Off</option>
                <option value="events">Around events</option>
                <option value="continuous">Continuous</option>
              </select>
            )}
          </Field>
        </div>
        {save.error && fieldOf(errorField(save.error)) === 'form' ? (
          <p className="form-error" role="alert">
            {errorMessage(save.error)}
          </p>
        ) : null}
        <div className="actions">
          <button type="button" className="button ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={save.isPending}>
            {camera ? 'Save camera' : 'Add camera'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
