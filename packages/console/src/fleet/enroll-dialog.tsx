import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { DeviceKind, EnrollmentToken } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorField, errorMessage } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';
import { Dialog } from '../ui/dialog.js';
import { Field } from '../ui/field.js';
import { CopyButton } from '../ui/copy-button.js';
import { streamingKeys } from '../apps/streaming-queries.js';

/** What differs between enrolling an edge and a streaming host: the words and the test ids (hosts prefix theirs). */
const KIND_TEXT: Record<DeviceKind, { title: string; idLabel: string; where: string; testPrefix: string }> = {
  edge: { title: 'Enroll a device', idLabel: 'Device id', where: 'on the edge machine', testPrefix: '' },
  host: { title: 'Enroll a streaming host', idLabel: 'Host id', where: 'on the streaming host (it needs Xvfb and ffmpeg)', testPrefix: 'host-' },
};

/** The one-time token and the exact command to run on the edge (or host) machine; shown once, never again. */
export function EnrollmentInstructions({ enrollment, kind = 'edge' }: { enrollment: EnrollmentToken; kind?: DeviceKind }) {
  const text = KIND_TEXT[kind];
  return (
    <div className="enrollment" data-testid={`${text.testPrefix}enrollment`}>
      <p>
        Run this {text.where}. The token works once, until {new Date(enrollment.expiresAt).toLocaleString()}; it is not shown again.
      </p>
      <div className="code-row">
        <code data-testid={`${text.testPrefix}enroll-command`}>{enrollment.command}</code>
        <CopyButton text={enrollment.command} label="Copy command" />
      </div>
      <div className="code-row">
        <span className="muted">Token</span>
        <code data-testid={`${text.testPrefix}enroll-token`}>{enrollment.token}</code>
        <CopyButton text={enrollment.token} label="Copy token" />
      </div>
    </div>
  );
}

/** Registers an edge device (or, with kind `host`, a streaming host) and shows how to enroll it. */
export function EnrollDialog({ open, onClose, kind = 'edge' }: { open: boolean; onClose: () => void; kind?: DeviceKind }) {
  const text = KIND_TEXT[kind];
  const client = useQueryClient();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => hub.devices.create({ id, kind, ...(name ? { name } : {}) }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.devices });
      if (kind === 'host') void client.invalidateQueries({ queryKey: streamingKeys.hosts });
    },
  });
  const close = () => {
    create.reset();
    setId('');
    setName('');
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const field = errorField(create.error);
  return (
    <Dialog title={text.title} open={open} onClose={close}>
      {create.data ? (
        <>
          <EnrollmentInstructions enrollment={create.data.enrollment} kind={kind} />
          <div className="actions">
            <button type="button" className="button primary" onClick={close}>
              Done
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit}>
          <Field label={text.idLabel} hint="Letters, digits, dot, dash, underscore; it cannot change later." error={field === 'id' ? errorMessage(create.error) : undefined}>
            {(props) => <input {...props} name={kind === 'edge' ? 'deviceId' : 'hostId'} required value={id} onChange={(e) => setId(e.target.value)} />}
          </Field>
          <Field label="Name (optional)" error={field === 'name' ? errorMessage(create.error) : undefined}>
            {(props) => <input {...props} name={kind === 'edge' ? 'deviceName' : 'hostName'} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          {create.error && field !== 'id' && field !== 'name' ? (
            <p className="form-error" role="alert">
              {errorMessage(create.error)}
            </p>
          ) : null}
          <div className="actions">
            <button type="button" className="button ghost" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="button primary" disabled={create.isPending}>
              Create and show the token
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
