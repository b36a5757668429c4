import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { EnrollmentToken } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorField, errorMessage } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';
import { Dialog } from '../ui/dialog.js';
import { Field } from '../ui/field.js';
import { CopyButton } from '../ui/copy-button.js';

/** The one-time token and the exact command to run on the edge machine; shown once, never again. */
export function EnrollmentInstructions({ enrollment }: { enrollment: EnrollmentToken }) {
  return (
    <div className="enrollment" data-testid="enrollment">
      <p>
        Run this on the edge machine. The token works once, until {new Date(enrollment.expiresAt).toLocaleString()}; it is not shown again.
      </p>
      <div className="code-row">
        <code data-testid="enroll-command">{enrollment.command}</code>
        <CopyButton text={enrollment.command} label="Copy command" />
      </div>
      <div className="code-row">
        <span className="muted">Token</span>
        <code data-testid="enroll-token">{enrollment.token}</code>
        <CopyButton text={enrollment.token} label="Copy token" />
      </div>
    </div>
  );
}

export function EnrollDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => hub.devices.create({ id, ...(name ? { name } : {}) }),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.devices }),
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
    <Dialog title="Enroll a device" open={open} onClose={close}>
      {create.data ? (
        <>
          <EnrollmentInstructions enrollment={create.data.enrollment} />
          <div className="actions">
            <button type="button" className="button primary" onClick={close}>
              Done
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit}>
          <Field label="Device id" hint="Letters, digits, dot, dash, underscore; it cannot change later." error={field === 'id' ? errorMessage(create.error) : undefined}>
            {(props) => <input {...props} name="deviceId" required value={id} onChange={(e) => setId(e.target.value)} />}
          </Field>
          <Field label="Name (optional)" error={field === 'name' ? errorMessage(create.error) : undefined}>
            {(props) => <input {...props} name="deviceName" value={name} onChange={(e) => setName(e.target.value)} />}
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
