import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { App } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorMessage } from '../api/errors.js';
import { useSession } from '../auth/session.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { AppFormDialog } from './app-form-dialog.js';
import { CODEC_LABEL, INPUT_PROFILE_LABEL } from './labels.js';
import { streamingKeys, useApps, useStartSession } from './streaming-queries.js';
import './apps.css';

type FormDialog = { app?: App } | undefined;

/** The cloud-streaming catalogue: everyone can play an app; admins add, edit and remove them. */
export function AppsPage() {
  const session = useSession();
  const apps = useApps();
  const navigate = useNavigate();
  const start = useStartSession();
  const [dialog, setDialog] = useState<FormDialog>();
  const admin = session.can('admin');

  const play = (app: App) =>
    start.mutate(app.id, {
      onSuccess: (created) => void navigate(`/play/${encodeURIComponent(created.id)}`),
    });

  return (
    <section className="page" aria-labelledby="apps-title">
      <div className="page-header">
        <div>
          <h1 id="apps-title">Apps</h1>
          <p className="muted small">
            Games and apps that run on a streaming host and play in this browser. <Link to="/sessions">Your sessions</Link>
          </p>
        </div>
        {admin ? (
          <div className="actions">
            <button type="button" className="button primary" onClick={() => setDialog({})}>
              Add app
            </button>
          </div>
        ) : null}
      </div>
      {start.error ? (
        <p className="form-error" role="alert">
          Could not start {start.variables ? `“${apps.data?.find((a) => a.id === start.variables)?.name ?? start.variables}”` : 'the app'}: {errorMessage(start.error)}
        </p>
      ) : null}
      {apps.isPending ? (
        <Loading label="Loading the catalogue…" />
      ) : !apps.data ? (
        <ErrorState error={apps.error} retry={() => void apps.refetch()} />
      ) : apps.data.length === 0 ? (
        <Empty title="No apps yet">{admin ? 'Add one: any X11 program the hosts have (a game, a browser in kiosk mode).' : 'An administrator adds them.'}</Empty>
      ) : (
        <ul className="app-grid" aria-label="Apps">
          {apps.data.map((app) => (
            <AppCard key={app.id} app={app} admin={admin} starting={start.isPending && start.variables === app.id} busy={start.isPending} onPlay={() => play(app)} onEdit={() => setDialog({ app })} />
          ))}
        </ul>
      )}
      {dialog ? <AppFormDialog open onClose={() => setDialog(undefined)} {...(dialog.app ? { app: dialog.app } : {})} /> : null}
    </section>
  );
}

function AppCard({ app, admin, starting, busy, onPlay, onEdit }: { app: App; admin: boolean; starting: boolean; busy: boolean; onPlay: () => void; onEdit: () => void }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => hub.apps.delete(app.id),
    onSuccess: () => void client.invalidateQueries({ queryKey: streamingKeys.apps }),
  });
  const titleId = `app-${app.id}`;
  return (
    <li className="card app-card" aria-labelledby={titleId} data-testid={`app-${app.id}`}>
      <h2 id={titleId}>{app.name}</h2>
      {app.description ? <p className="muted">{app.description}</p> : null}
      <dl className="facts app-facts">
        <div>
          <dt>Picture</dt>
          <dd>
            {app.width}×{app.height} at {app.fps} fps
          </dd>
        </div>
        <div>
          <dt>Codec</dt>
          <dd>{CODEC_LABEL[app.codec]}</dd>
        </div>
        <div>
          <dt>Input</dt>
          <dd>{INPUT_PROFILE_LABEL[app.inputProfile]}</dd>
        </div>
        {admin ? (
          <div>
            <dt>Command</dt>
            <dd>
              <code>{[app.command, ...app.args].join(' ')}</code>
            </dd>
          </div>
        ) : null}
      </dl>
      {remove.error ? (
        <p className="form-error" role="alert">
          {errorMessage(remove.error)}
        </p>
      ) : null}
      <div className="actions app-actions">
        {admin ? (
          <>
            <button type="button" className="button small ghost" onClick={onEdit} aria-label={`Edit ${app.name}`}>
              Edit
            </button>
            <button
              type="button"
              className="button small danger"
              aria-label={`Delete ${app.name}`}
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(`Remove ${app.name} from the catalogue? Sessions already running go on.`)) remove.mutate();
              }}
            >
              Delete
            </button>
          </>
        ) : null}
        <button type="button" className="button primary" onClick={onPlay} disabled={busy} aria-label={`Play ${app.name}`}>
          {starting ? 'Starting…' : 'Play'}
        </button>
      </div>
    </li>
  );
}
