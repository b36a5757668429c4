import { useConnectionLost } from '../api/connection.js';

/** Shown while the hub cannot be reached; it disappears by itself when the hub answers again. */
export function ConnectionBanner() {
  const lost = useConnectionLost();
  if (!lost) return null;
  return (
    <div className="banner" role="alert">
      <span className="spinner" aria-hidden="true" /> Connection to the hub lost. Reconnecting… Data on screen may be out of date.
    </div>
  );
}
