import { useQuery } from '@tanstack/react-query';
import type { StoredEvent } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { Dialog } from '../ui/dialog.js';
import { formatTime } from '../ui/format.js';
import { ErrorState, Loading } from '../ui/states.js';
import { describeEvent } from './describe-event.js';

/**
 * The recording around an event. A <video> cannot send headers, so the URL carries a short-lived token that opens
 * this camera's clips only (never the session).
 */
export function EventClipDialog({ stored, onClose }: { stored: StoredEvent | undefined; onClose: () => void }) {
  const cameraId = stored?.event.cameraId;
  const token = useQuery({
    queryKey: ['recordings-token', cameraId],
    queryFn: ({ signal }) => hub.recordings.token(cameraId!, { signal }),
    enabled: cameraId !== undefined,
    staleTime: 5 * 60_000,
  });
  return (
    <Dialog title={stored ? `${describeEvent(stored)} — ${stored.event.cameraId}` : 'Clip'} open={stored !== undefined} onClose={onClose} wide>
      {stored ? (
        <div className="clip">
          <p className="muted">{formatTime(stored.event.wallTime)}</p>
          {token.isPending ? (
            <Loading label="Opening the recording…" />
          ) : token.data ? (
            <video
              data-testid="event-clip"
              controls
              autoPlay
              muted
              playsInline
              src={hub.recordings.eventClipUrl(stored.event.id, { accessToken: token.data.token })}
              aria-label={`Recording of ${describeEvent(stored)}`}
            />
          ) : (
            <ErrorState error={token.error} retry={() => void token.refetch()} />
          )}
          <p className="muted small">No clip? The camera records only when its recording mode is “around events” or “continuous”.</p>
        </div>
      ) : null}
    </Dialog>
  );
}
