import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { EnrollmentToken, Host } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorMessage } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';
import { CODEC_LABEL } from '../apps/labels.js';
import { streamingKeys, useHosts } from '../apps/streaming-queries.js';
import { useSession } from '../auth/session.js';
import { Dialog } from '../ui/dialog.js';
import { formatAgo } from '../ui/format.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { EnrollDialog, EnrollmentInstructions } from '../fleet/enroll-dialog.js';
import '../apps/apps.css';

/** Streaming hosts: presence, capacity (slots, largest picture), encoders and the sessions they run. */
export function HostsPage() {
  const session = useSession();
  const hosts = useHosts();
  const [enrolling, setEnrolling] = useState(false);
  const admin = session.can('admin');
  return (
    <section className="page" aria-labelledby="hosts-title">
      <div className="page-header">
        <div>
          <h1 id="hosts-title">Hosts</h1>
          <p className="muted small">The machines that run cloud-streaming sessions.</p>
        </div>
        {admin ? (
          <div className="actions">
            <button type="button" className="button primary" onClick={() => setEnrolling(true)}>
              Enroll host
            </button>
          </div>
        ) : null}
      </div>
      {hosts.isPending ? (
        <Loading label="Loading hosts…" />
      ) : !hosts.data ? (
        <ErrorState error={hosts.error} retry={() => void hosts.refetch()} />
      ) : hosts.data.length === 0 ? (
        <Empty title="No hosts yet">
          {admin ? 'Enroll a machine with Xvfb and ffmpeg: it gets a one-time token and runs the sessions players start.' : 'An administrator enrolls streaming hosts.'}
        </Empty>
      ) : (
        <div className="card">
          <table className="table">
            <caption className="visually-hidden">Streaming hosts</caption>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">State</th>
                <th scope="col">Sessions / slots</th>
                <th scope="col">Largest picture</th>
                <th scope="col">Encoders</th>
                <th scope="col">CPU</th>
                <th scope="col">Last seen</th>
                {admin ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {hosts.data.map((host) => (
                <HostRow key={host.id} host={host} admin={admin} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <EnrollDialog kind="host" open={enrolling} onClose={() => setEnrolling(false)} />
    </section>
  );
}

function HostRow({ host, admin }: { host: Host; admin: boolean }) {
  const client = useQueryClient();
  const [token, setToken] = useState<EnrollmentToken>();
  const newToken = useMutation({ mutationFn: () => hub.devices.newEnrollmentToken(host.id), onSuccess: setToken });
  const remove = useMutation({
    mutationFn: () => hub.devices.delete(host.id),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: streamingKeys.hosts });
      void client.invalidateQueries({ queryKey: queryKeys.devices });
    },
  });
  const status = !host.enrolled ? 'not enrolled' : host.online ? 'online' : 'offline';
  const capacity = host.capacity;
  return (
    <tr data-testid={`host-${host.id}`}>
      <th scope="row">
        <span className={`dot ${host.online ? 'ok' : 'off'}`} aria-hidden="true" />
        {host.name ?? host.id}
        {host.name ? <div className="muted small">{host.id}</div> : null}
        {host.version ? <div className="muted small">v{host.version}</div> : null}
        {newToken.error || remove.error ? (
          <div className="form-error small" role="alert">
            {errorMessage(newToken.error ?? remove.error)}
          </div>
        ) : null}
        <Dialog title={`New enrollment token for ${host.id}`} open={token !== undefined} onClose={() => setToken(undefined)}>
          {token ? <EnrollmentInstructions enrollment={token} kind="host" /> : null}
        </Dialog>
      </th>
      <td>
        <span className={`badge ${host.online ? 'ok' : ''}`} data-testid="host-status">
          {status}
        </span>
      </td>
      <td className="slots">{capacity ? `${host.sessions} / ${capacity.slots}` : `${host.sessions} / —`}</td>
      <td>{capacity ? `${capacity.maxWidth}×${capacity.maxHeight} at ${capacity.maxFps} fps` : '—'}</td>
      <td>
        {capacity && capacity.encoders.length > 0 ? (
          <ul className="encoder-list">
            {capacity.encoders.map((e) => (
              <li key={`${e.codec}-${e.encoder}`} className={`badge ${e.hardware ? 'ok' : ''}`} title={e.hardware ? 'hardware encoder' : 'software encoder'}>
                {CODEC_LABEL[e.codec]} · {e.encoder}
                {e.hardware ? ' (HW)' : ''}
              </li>
            ))}
          </ul>
        ) : (
          '—'
        )}
      </td>
      <td>{host.cpuPercent === null ? '—' : `${host.cpuPercent.toFixed(0)} %`}</td>
      <td>{host.lastSeenAt === null ? 'never' : formatAgo(host.lastSeenAt)}</td>
      {admin ? (
        <td>
          <div className="actions">
            <button type="button" className="button small ghost" onClick={() => newToken.mutate()} aria-label={`New enrollment token for ${host.id}`}>
              New token
            </button>
            <button
              type="button"
              className="button small danger"
              aria-label={`Remove host ${host.id}`}
              onClick={() => {
                if (window.confirm(`Remove host ${host.id} and its credentials? Its sessions end.`)) remove.mutate();
              }}
            >
              Remove
            </button>
          </div>
        </td>
      ) : null}
    </tr>
  );
}
