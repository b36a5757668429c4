import { Link } from 'react-router';
import type { StreamSession } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorMessage } from '../api/errors.js';
import { useSession } from '../auth/session.js';
import { formatAgo } from '../ui/format.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { END_REASON_TEXT, SESSION_STATE_LABEL } from './labels.js';
import { useEndSession, useSessions } from './streaming-queries.js';
import './apps.css';

const isLive = (s: StreamSession) => s.state !== 'ended';

/** The caller's cloud-streaming sessions (an admin sees everyone's), newest first, with a way back in or out. */
export function SessionsPage() {
  const session = useSession();
  const sessions = useSessions();
  const end = useEndSession();
  return (
    <section className="page sessions-page" aria-labelledby="sessions-title">
      <div className="page-header">
        <div>
          <h1 id="sessions-title">{session.can('admin') ? 'Sessions' : 'My sessions'}</h1>
          <p className="muted small">{session.can('admin') ? 'Every player’s cloud-streaming sessions.' : 'Your cloud-streaming sessions.'}</p>
        </div>
        <div className="actions">
          <Link className="button" to="/apps">
            Apps
          </Link>
        </div>
      </div>
      {end.error ? (
        <p className="form-error" role="alert">
          {errorMessage(end.error)}
        </p>
      ) : null}
      {sessions.isPending ? (
        <Loading label="Loading sessions…" />
      ) : !sessions.data ? (
        <ErrorState error={sessions.error} retry={() => void sessions.refetch()} />
      ) : sessions.data.length === 0 ? (
        <Empty title="No sessions yet">
          <Link to="/apps">Pick an app to play.</Link>
        </Empty>
      ) : (
        <div className="card">
          <table className="table">
            <caption className="visually-hidden">Sessions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">State</th>
                <th scope="col">Started</th>
                <th scope="col">Host</th>
                <th scope="col">Spectators</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.map((s) => (
                <tr key={s.id} data-testid={`session-${s.id}`}>
                  <th scope="row">
                    {isLive(s) ? <Link to={`/play/${encodeURIComponent(s.id)}`}>{s.appName}</Link> : s.appName}
                    <div className="muted small">
                      {s.width}×{s.height} at {s.fps} fps
                    </div>
                  </th>
                  <td>
                    <span className={`badge state-${s.state}`} data-testid="session-state">
                      {SESSION_STATE_LABEL[s.state]}
                      {s.state === 'queued' && s.queuePosition !== null ? ` · #${s.queuePosition}` : ''}
                    </span>
                    {s.state === 'ended' && s.endReason ? <div className="muted small">{END_REASON_TEXT[s.endReason]}</div> : null}
                    {s.recording === 'ready' ? (
                      <div className="small">
                        <a href={hub.sessions.recordingUrl(s.id)} download={`${s.appId}-${s.id}.mp4`}>
                          Download the recording
                        </a>
                      </div>
                    ) : s.recording === 'recording' ? (
                      <div className="muted small">Recording</div>
                    ) : null}
                  </td>
                  <td>{formatAgo(s.startedAt ?? s.createdAt)}</td>
                  <td>{s.hostId ?? '—'}</td>
                  <td>{s.spectators}</td>
                  <td>
                    {isLive(s) ? (
                      <div className="actions">
                        <Link className="button small" to={`/play/${encodeURIComponent(s.id)}`} aria-label={`Open ${s.appName}`}>
                          Open
                        </Link>
                        <button
                          type="button"
                          className="button small danger"
                          aria-label={`End ${s.appName}`}
                          disabled={end.isPending && end.variables === s.id}
                          onClick={() => {
                            if (window.confirm(`End ${s.appName}? The app is closed on the host.`)) end.mutate(s.id);
                          }}
                        >
                          {s.state === 'queued' ? 'Leave queue' : 'End'}
                        </button>
                      </div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
