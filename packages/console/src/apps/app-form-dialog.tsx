import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { App, CreateAppRequest, InputProfile, VideoCodec } from '@sightline/protocol';
import { hub } from '../api/client.js';
import './apps.css';
import { errorField, errorMessage } from '../api/errors.js';
import { Dialog } from '../ui/dialog.js';
import { Field } from '../ui/field.js';
import { CODEC_LABEL, INPUT_PROFILE_LABEL } from './labels.js';
import { streamingKeys } from './streaming-queries.js';

interface FormState {
  id: string;
  name: string;
  description: string;
  command: string;
  /** One argument per line (arguments may contain spaces). */
  args: string;
  /** NAME=value, one per line. */
  env: string;
  width: string;
  height: string;
  fps: string;
  codec: VideoCodec;
  bitrateKbps: string;
  inputProfile: InputProfile;
  saveData: boolean;
  idleTimeoutSeconds: string;
  maxDurationSeconds: string;
}

type FieldName = Exclude<keyof FormState, 'saveData'> | 'saveData' | 'form';

function initialState(app: App | undefined): FormState {
  return {
    id: app?.id ?? '',
    name: app?.name ?? '',
    description: app?.description ?? '',
    command: app?.command ?? '',
    args: (app?.args ?? []).join('\n'),
    env: Object.entries(app?.env ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    width: String(app?.width ?? 1280),
    height: String(app?.height ?? 720),
    fps: String(app?.fps ?? 30),
    codec: app?.codec ?? 'h264',
    bitrateKbps: String(app?.bitrateKbps ?? 4000),
    inputProfile: app?.inputProfile ?? 'keyboard-mouse',
    saveData: app?.saveData ?? false,
    idleTimeoutSeconds: String(app?.idleTimeoutSeconds ?? 600),
    maxDurationSeconds: String(app?.maxDurationSeconds ?? 4 * 3600),
  };
}

/** The form field an API error names (`env.DISPLAY`, `args[2]`, `fps`), or the form itself. */
function fieldOf(apiField: string | undefined): FieldName {
  const head = apiField?.split(/[.[]/)[0];
  const known: FieldName[] = ['id', 'name', 'description', 'command', 'args', 'env', 'width', 'height', 'fps', 'codec', 'bitrateKbps', 'inputProfile', 'saveData', 'idleTimeoutSeconds', 'maxDurationSeconds'];
  return head && (known as string[]).includes(head) ? (head as FieldName) : 'form';
}

/** A number field: empty means "the hub's default"; anything else goes as typed, for the hub to judge. */
const numberOrUndefined = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/** Parses the environment lines; a line without `=` is an error named like the hub names its own. */
function parseEnv(text: string): { ok: true; env: Record<string, string> } | { ok: false; error: string } {
  const env: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf('=');
    if (at <= 0) return { ok: false, error: `line ${index + 1}: write NAME=value` };
    env[line.slice(0, at)] = line.slice(at + 1);
  }
  return { ok: true, env };
}

class FormError extends Error {
  constructor(
    readonly field: FieldName,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Adds an app to the catalogue or edits one (admins). The hub validates (the protocol's zod schemas) and its message
 * appears under the field it names; only the environment's line format is checked here, since it is this form's own.
 */
export function AppFormDialog({ open, onClose, app }: { open: boolean; onClose: () => void; app?: App }) {
  const client = useQueryClient();
  const [state, setState] = useState<FormState>(() => initialState(app));
  const set = (key: Exclude<keyof FormState, 'saveData'>) => (e: { target: { value: string } }) => setState((s) => ({ ...s, [key]: e.target.value }));
  const save = useMutation({
    mutationFn: () => {
      const env = parseEnv(state.env);
      if (!env.ok) throw new FormError('env', env.error);
      const fields = {
        name: state.name,
        ...(state.description.trim() ? { description: state.description } : {}),
        command: state.command,
        args: state.args.split('\n').filter((line) => line.length > 0),
        env: env.env,
        width: numberOrUndefined(state.width),
        height: numberOrUndefined(state.height),
        fps: numberOrUndefined(state.fps),
        codec: state.codec,
        bitrateKbps: numberOrUndefined(state.bitrateKbps),
        inputProfile: state.inputProfile,
        saveData: state.saveData,
        idleTimeoutSeconds: numberOrUndefined(state.idleTimeoutSeconds),
        maxDurationSeconds: numberOrUndefined(state.maxDurationSeconds),
      } satisfies Omit<CreateAppRequest, 'id'>;
      return app ? hub.apps.update(app.id, fields) : hub.apps.create({ id: state.id, ...fields });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: streamingKeys.apps });
      onClose();
    },
  });
  const failedField: FieldName | undefined = save.error ? (save.error instanceof FormError ? save.error.field : fieldOf(errorField(save.error))) : undefined;
  const errorFor = (key: FieldName) => (failedField === key ? errorMessage(save.error) : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Dialog title={app ? `Edit ${app.name}` : 'Add an app'} open={open} onClose={onClose} wide>
      <form className="app-form" onSubmit={submit} noValidate aria-label={app ? `Edit ${app.name}` : 'Add an app'}>
        <div className="form-grid">
          <Field label="App id" error={errorFor('id')} hint={app ? undefined : 'Used in the API and in links; it cannot change later.'}>
            {(props) => <input {...props} name="appId" value={state.id} onChange={set('id')} disabled={Boolean(app)} required />}
          </Field>
          <Field label="Name" error={errorFor('name')}>
            {(props) => <input {...props} name="appName" value={state.name} onChange={set('name')} required />}
          </Field>
          <Field label="Command" error={errorFor('command')} hint="An X11 program on the hosts: an absolute path or a name on their PATH.">
            {(props) => <input {...props} name="command" value={state.command} onChange={set('command')} required spellCheck={false} />}
          </Field>
          <Field label="Description (optional)" error={errorFor('description')}>
            {(props) => <input {...props} name="description" value={state.description} onChange={set('description')} />}
          </Field>
          <Field label="Arguments" error={errorFor('args')} hint="One per line.">
            {(props) => <textarea {...props} name="args" rows={3} value={state.args} onChange={set('args')} spellCheck={false} />}
          </Field>
          <Field label="Environment" error={errorFor('env')} hint="NAME=value, one per line. The host's own environment is never passed.">
            {(props) => <textarea {...props} name="env" rows={3} value={state.env} onChange={set('env')} spellCheck={false} />}
          </Field>
          <Field label="Width" error={errorFor('width')}>
            {(props) => <input {...props} name="width" type="number" min="160" max="3840" value={state.width} onChange={set('width')} />}
          </Field>
          <Field label="Height" error={errorFor('height')}>
            {(props) => <input {...props} name="height" type="number" min="120" max="2160" value={state.height} onChange={set('height')} />}
          </Field>
          <Field label="Frames per second" error={errorFor('fps')}>
            {(props) => <input {...props} name="fps" type="number" min="1" max="120" value={state.fps} onChange={set('fps')} />}
          </Field>
          <Field label="Codec" error={errorFor('codec')}>
            {(props) => (
              <select {...props} name="codec" value={state.codec} onChange={set('codec')}>
                {Object.entries(CODEC_LABEL).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Bitrate ceiling (kbit/s)" error={errorFor('bitrateKbps')} hint="The stream adapts below it to each player's network.">
            {(props) => <input {...props} name="bitrateKbps" type="number" min="100" max="50000" value={state.bitrateKbps} onChange={set('bitrateKbps')} />}
          </Field>
          <Field label="Input" error={errorFor('inputProfile')}>
            {(props) => (
              <select {...props} name="inputProfile" value={state.inputProfile} onChange={set('inputProfile')}>
                {Object.entries(INPUT_PROFILE_LABEL).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Idle timeout (seconds)" error={errorFor('idleTimeoutSeconds')}>
            {(props) => <input {...props} name="idleTimeoutSeconds" type="number" min="10" value={state.idleTimeoutSeconds} onChange={set('idleTimeoutSeconds')} />}
          </Field>
          <Field label="Longest session (seconds)" error={errorFor('maxDurationSeconds')}>
            {(props) => <input {...props} name="maxDurationSeconds" type="number" min="30" value={state.maxDurationSeconds} onChange={set('maxDurationSeconds')} />}
          </Field>
        </div>
        <label className="checkbox">
          <input type="checkbox" name="saveData" checked={state.saveData} onChange={(e) => setState((s) => ({ ...s, saveData: e.target.checked }))} />
          Keep each player's save data between sessions
        </label>
        {errorFor('saveData') ? (
          <p className="field-error" role="alert">
            {errorFor('saveData')}
          </p>
        ) : null}
        {failedField === 'form' ? (
          <p className="form-error" role="alert">
            {errorMessage(save.error)}
          </p>
        ) : null}
        <div className="actions">
          <button type="button" className="button ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={save.isPending}>
            {app ? 'Save app' : 'Add app'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
