import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { EnrollmentToken } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorField, errorMessage } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';
import { streamingKeys } from '../apps/streaming-queries.js';
import { CopyButton } from '../ui/copy-button.js';
import { Dialog } from '../ui/dialog.js';
import { Field } from '../ui/field.js';

/** The one-time token and the exact `sightline host` command; shown once, never again. */
export function HostEnrollmentInstructions({ enrollment }: { enrollment: EnrollmentToken }) {
  return (
    <div className="enrollment" data-testid="host-enrollment">
      <p>
        Run this on the streaming host (it needs Xvfb and ffmpeg). The token works once, until {new Date(enrollment.expiresAt).toLocaleString()}; it is not
        shown again.
      </p>
      <div className="code-row">
        <code data-testid="host-enroll-command">{enrollment.command}</code>
        <CopyButton text={enrollment.command} label="Copy command" />
      </div>
      <div className="code-row">
        <span className="muted">Token</span>
        <code data-testid="host-enroll-token">{enrollment.token}</code>
        <CopyButton text={enrollment.token} label="Copy token" />
      </div>
    </div>
  );
}

/** Registers a streaming host (a device of kind `host`) and shows how to enroll it, as the fleet's enroll dialog does. */
export function EnrollHostDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => hub.devices.create({ id, kind: 'host', ...(name ? { name } : {}) }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: streamingKeys.hosts });
      void client.invalidateQueries({ queryKey: queryKeys.devices });
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
    <Dialog title="Enroll a streaming host" open={open} onClose={close}>
      {create.data ? (
        <>
          <HostEnrollmentInstructions enrollment={create.data.enrollment} />
          <div className="actions">
            <button type="button" className="button primary" onClick={close}>
              Done
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit}>
          <Field label="Host id" hint="Letters, digits, dot, dash, underscore; it cannot change later." error={field === 'id' ? errorMessage(create.error) : undefined}>
            {(props) => <input {...props} name="hostId" required value={id} onChange={(e) => setId(e.target.value)} />}
          </Field>
          <Field label="Name (optional)" error={field === 'name' ? errorMessage(create.error) : undefined}>
            {(props) => <input {...props} name="hostName" value={name} onChange={(e) => setName(e.target.value)} />}
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
