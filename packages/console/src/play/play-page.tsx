import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import type { CloudPlayer, CloudPlayerPhase, CloudPlayerStatus } from '@sightline/player';
import { hub } from '../api/client.js';
import { errorMessage } from '../api/errors.js';
import { END_REASON_TEXT, ordinal } from '../apps/labels.js';
import { useEndSession, useStartSession } from '../apps/streaming-queries.js';
import { useMe } from '../auth/session.js';
import { CopyButton } from '../ui/copy-button.js';
import { Dialog } from '../ui/dialog.js';
import { spectateLink, spectateTokenOf } from './spectate-link.js';
import { StatsHud } from './stats-hud.js';
import { HUD_KEY, useCloudPlayer } from './use-cloud-player.js';
import './play.css';

const HUD_STORAGE_KEY = 'sightline.play.hud';

const PHASE_BADGE: Record<CloudPlayerPhase, string> = {
  loading: 'Connecting',
  queued: 'In the queue',
  starting: 'Starting',
  connecting: 'Connecting',
  playing: 'Live',
  reconnecting: 'Reconnecting',
  ending: 'Ending',
  ended: 'Ended',
  failed: 'Unavailable',
};

function readHudPreference(): boolean {
  try {
    return window.localStorage.getItem(HUD_STORAGE_KEY) !== '0';
  } catch {
    return true;
  }
}

/**
 * The player page, `/play/:sessionId`: full screen and outside the console's shell, so that it works on its own for
 * players (and, with `?spectate=<token>`, for spectators who are not signed in). The video takes the keyboard and
 * mouse while the session plays; F2 (or the HUD button) shows the stream's statistics; Escape is the game's (the
 * browser also uses it to leave pointer lock and fullscreen), never the end of the session.
 */
export function PlayPage() {
  const { sessionId = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const spectateToken = spectateTokenOf(location.search);
  const me = useMe();
  const signedIn = Boolean(me.data);
  const videoRef = useRef<HTMLVideoElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const { player, status, stats, gamepads, pointerLocked, fullscreen } = useCloudPlayer({ sessionId, spectateToken, video: videoRef, fullscreenElement: rootRef });
  const [hud, setHud] = useState(readHudPreference);
  const [sharing, setSharing] = useState(false);
  const end = useEndSession();
  const start = useStartSession();
  const share = useMutation({ mutationFn: () => hub.sessions.spectateToken(sessionId) });
  const spectator = spectateToken !== undefined;
  const session = status.session;
  const phase = status.phase;
  const appName = session?.appName ?? (spectator ? 'Watching a session' : 'Session');
  const backTo = signedIn ? (spectator ? '/' : '/apps') : '/';

  useEffect(() => {
    try {
      window.localStorage.setItem(HUD_STORAGE_KEY, hud ? '1' : '0');
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }, [hud]);

  // F2 toggles the HUD wherever the focus is (the player keeps F2 for the page: it is not sent to the game).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.code !== HUD_KEY || e.repeat) return;
      e.preventDefault();
      setHud((shown) => !shown);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Once it plays, the keyboard goes to the game.
  useEffect(() => {
    if (phase === 'playing' && !spectator) player?.focus();
  }, [phase, player, spectator]);

  useEffect(() => {
    const previous = document.title;
    document.title = `${spectator ? 'Watching ' : ''}${appName} · Sightline`;
    return () => {
      document.title = previous;
    };
  }, [appName, spectator]);

  const playAgain = () => {
    if (!session) return;
    start.mutate(session.appId, { onSuccess: (created) => void navigate(`/play/${encodeURIComponent(created.id)}`) });
  };
  const endSession = () => {
    const what = phase === 'queued' ? 'Leave the queue?' : `End ${appName}? The app is closed on the host.`;
    if (window.confirm(what)) end.mutate(sessionId);
  };
  const live = phase === 'playing' || phase === 'reconnecting';
  const over = phase === 'ended' || phase === 'ending';
  /** Toolbar actions give the keyboard back to the game afterwards. */
  const thenFocus = (action: () => unknown) => async () => {
    await action();
    if (live && !spectator) player?.focus();
  };

  return (
    <div className="play" ref={rootRef} data-phase={phase} data-testid="play-page">
      <header className="play-bar">
        <Link className="button small ghost" to={backTo} aria-label="Back to the console">
          ← Back
        </Link>
        <h1 className="play-title">{appName}</h1>
        <span className={`badge play-phase phase-${phase}`} data-testid="play-phase">
          {spectator && phase === 'playing' ? 'Watching' : PHASE_BADGE[phase]}
        </span>
        {gamepads.length > 0 ? (
          <span className="badge ok" data-testid="gamepad-indicator" title={gamepads.map((g) => g.id).join(', ')}>
            <span className="gamepad-dot" aria-hidden="true" />
            {gamepads.length === 1 ? 'Gamepad connected' : `${gamepads.length} gamepads connected`}
          </span>
        ) : null}
        <div className="play-actions">
          <button type="button" className="button small ghost" aria-pressed={hud} aria-keyshortcuts={HUD_KEY} title="Statistics (F2)" onClick={thenFocus(() => setHud((h) => !h))}>
            HUD
          </button>
          <button type="button" className="button small ghost" aria-pressed={fullscreen} onClick={thenFocus(() => player?.toggleFullscreen())} disabled={!player}>
            Fullscreen
          </button>
          {!spectator ? (
            <button
              type="button"
              className="button small ghost"
              aria-pressed={pointerLocked}
              title="Lock the mouse to the game (Escape frees it)"
              onClick={() => void player?.togglePointerLock()}
              disabled={!player || phase !== 'playing'}
            >
              Lock mouse
            </button>
          ) : null}
          {!spectator && !over ? (
            <button
              type="button"
              className="button small ghost"
              disabled={phase !== 'playing' && phase !== 'reconnecting' && phase !== 'starting' && phase !== 'connecting'}
              onClick={() => {
                setSharing(true);
                share.mutate();
              }}
            >
              Share to spectate
            </button>
          ) : null}
          {!spectator && !over && phase !== 'failed' && phase !== 'loading' ? (
            <button type="button" className="button small danger" onClick={endSession} disabled={end.isPending}>
              {phase === 'queued' ? 'Leave queue' : 'End'}
            </button>
          ) : null}
        </div>
      </header>
      {end.error ? (
        <p className="form-error play-error" role="alert">
          Could not end the session: {errorMessage(end.error)}
        </p>
      ) : null}
      <div className="play-stage">
        <video
          ref={videoRef}
          className="play-video"
          muted
          playsInline
          autoPlay
          aria-label={spectator ? `${appName}, view only` : `${appName}: keyboard, mouse and gamepad go to the game while it has the focus`}
          {...(spectator ? {} : { tabIndex: 0 })}
          data-testid="play-video"
        />
        {hud && live ? <StatsHud stats={stats} host={session?.hostStats} /> : null}
        <PhaseOverlay
          status={status}
          player={player}
          appName={appName}
          spectator={spectator}
          signedIn={signedIn}
          backTo={backTo}
          onPlayAgain={playAgain}
          playAgainPending={start.isPending}
          playAgainError={start.error}
          onEnd={endSession}
        />
      </div>
      <Dialog title="Share to spectate" open={sharing} onClose={() => setSharing(false)}>
        {share.isPending ? (
          <p role="status">Creating a link…</p>
        ) : share.data ? (
          <div data-testid="spectate-share">
            <p>Anyone with this link can watch the session until {new Date(share.data.expiresAt).toLocaleTimeString()}, without signing in. They cannot control it.</p>
            <div className="code-row">
              <code data-testid="spectate-link">{spectateLink(window.location.origin, sessionId, share.data.token)}</code>
              <CopyButton text={spectateLink(window.location.origin, sessionId, share.data.token)} label="Copy link" />
            </div>
          </div>
        ) : (
          <p className="form-error" role="alert">
            {errorMessage(share.error)}
          </p>
        )}
        <div className="actions">
          <button type="button" className="button primary" onClick={() => setSharing(false)}>
            Done
          </button>
        </div>
      </Dialog>
    </div>
  );
}

function PhaseOverlay({
  status,
  player,
  appName,
  spectator,
  signedIn,
  backTo,
  onPlayAgain,
  playAgainPending,
  playAgainError,
  onEnd,
}: {
  status: CloudPlayerStatus;
  player: CloudPlayer | undefined;
  appName: string;
  spectator: boolean;
  signedIn: boolean;
  backTo: string;
  onPlayAgain: () => void;
  playAgainPending: boolean;
  playAgainError: unknown;
  onEnd: () => void;
}) {
  const { phase } = status;
  if (phase === 'playing') return null;
  let body: ReactNode;
  switch (phase) {
    case 'loading':
    case 'connecting':
    case 'starting':
    case 'ending':
      body = (
        <>
          <span className="spinner large" aria-hidden="true" />
          <h2>{phase === 'starting' ? `Starting ${appName}…` : phase === 'ending' ? 'Ending the session…' : 'Connecting…'}</h2>
          {phase === 'starting' ? <p className="muted">A host is starting the app. This takes a few seconds.</p> : null}
        </>
      );
      break;
    case 'queued':
      body = (
        <>
          <h2 data-testid="queue-position">{status.queuePosition !== undefined ? `You are number ${status.queuePosition} in the queue` : 'You are in the queue'}</h2>
          <p className="muted">
            {status.queuePosition === 1
              ? 'You are next: the app starts as soon as a host has a free slot.'
              : status.queuePosition !== undefined
                ? `${ordinal(status.queuePosition)} in line. The app starts when a host has a free slot for you.`
                : 'The app starts when a host has a free slot.'}{' '}
            Keep this page open.
          </p>
          {!spectator ? (
            <button type="button" className="button" onClick={onEnd}>
              Leave the queue
            </button>
          ) : null}
        </>
      );
      break;
    case 'reconnecting':
      body = (
        <>
          <span className="spinner large" aria-hidden="true" />
          <h2>Connection lost. Reconnecting…</h2>
          {status.graceLeftMs !== undefined && !spectator ? <p className="muted">The session is kept for you for {Math.ceil(status.graceLeftMs / 1000)} more seconds.</p> : null}
        </>
      );
      break;
    case 'ended':
      body = (
        <>
          <h2>{spectator ? 'The session is over' : 'Session ended'}</h2>
          <p data-testid="end-reason">{status.endReason ? END_REASON_TEXT[status.endReason] : (status.message ?? 'The session is over.')}</p>
          {status.endReason && status.message ? <p className="muted small">{status.message}</p> : null}
          {playAgainError ? (
            <p className="form-error" role="alert">
              Could not start it again: {errorMessage(playAgainError)}
            </p>
          ) : null}
          <div className="actions center">
            {signedIn && !spectator && status.session ? (
              // Focus lands here so that a keyboard user can go on at once.
              <button type="button" className="button primary" onClick={onPlayAgain} disabled={playAgainPending} autoFocus>
                {playAgainPending ? 'Starting…' : 'Play again'}
              </button>
            ) : null}
            <Link className="button" to={backTo}>
              Back
            </Link>
          </div>
        </>
      );
      break;
    case 'failed':
      body = (
        <>
          <h2>{status.error?.status === 404 ? 'This session does not exist' : status.error?.status === 401 || status.error?.status === 403 ? 'You may not open this session' : 'Cannot play this session'}</h2>
          <p className="muted">{status.error?.message}</p>
          <div className="actions center">
            {status.session?.state === 'running' ? (
              <button type="button" className="button primary" onClick={() => player?.retry()}>
                Try again
              </button>
            ) : null}
            <Link className="button" to={backTo}>
              Back
            </Link>
          </div>
        </>
      );
      break;
  }
  return (
    <div className={`play-overlay phase-${phase}`} role="status" aria-live="polite" data-testid="play-overlay">
      <div className="play-overlay-card">{body}</div>
    </div>
  );
}
