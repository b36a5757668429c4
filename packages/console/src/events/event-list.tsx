import { useEffect, useRef, useState } from 'react';
import type { EventFilter, StoredEvent } from '@sightline/protocol';
import { formatAgo, formatTime } from '../ui/format.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { describeEvent } from './describe-event.js';
import { EventClipDialog } from './event-clip-dialog.js';
import { useEventPages } from './use-event-pages.js';

/**
 * Events as a timeline with thumbnails: scrolls on forever (the next page loads when its end comes into view, or
 * with the button), and new events appear at the top as they happen. Choosing one opens its clip.
 */
export function EventList({ filter, compact }: { filter: EventFilter; compact?: boolean }) {
  const pages = useEventPages(filter);
  const [open, setOpen] = useState<StoredEvent>();
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;

  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (pages.isPending) return <Loading label="Loading events…" />;
  if (!pages.data) return <ErrorState error={pages.error} retry={() => void pages.refetch()} />;
  const events = pages.data.pages.flatMap((p) => p.events);
  if (events.length === 0) return <Empty title="No events yet">They appear here as soon as the edge reports them.</Empty>;
  return (
    <>
      <ol className={compact ? 'event-list compact' : 'event-list'} data-testid="event-list" aria-label="Events, newest first">
        {events.map((stored) => {
          const thumb = stored.snapshots.find((s) => s.kind === 'crop') ?? stored.snapshots[0];
          return (
            <li key={stored.event.id}>
              <button type="button" className="event" data-testid="event" data-type={stored.event.type} onClick={() => setOpen(stored)}>
                {thumb ? <img src={thumb.url} alt="" loading="lazy" width={64} height={64} /> : <span className="thumb-placeholder" aria-hidden="true" />}
                <span className="event-text">
                  <strong>{describeEvent(stored)}</strong>
                  <span className="muted small">
                    {stored.event.cameraId} · <time dateTime={new Date(stored.event.wallTime).toISOString()} title={formatTime(stored.event.wallTime)}>{formatAgo(stored.event.wallTime)}</time> ·{' '}
                    {Math.round(stored.event.confidence * 100)} %
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ol>
      <div ref={sentinel} className="list-end">
        {hasNextPage ? (
          <button type="button" className="button ghost" disabled={isFetchingNextPage} onClick={() => void fetchNextPage()}>
            {isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        ) : (
          <span className="muted small">That is all.</span>
        )}
      </div>
      <EventClipDialog stored={open} onClose={() => setOpen(undefined)} />
    </>
  );
}
