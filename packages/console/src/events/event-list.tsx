import { useEffect, useMemo, useRef, useState } from 'react';
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
  const events = useMemo(() => pages.data?.pages.flatMap((p) => p.events) ?? [], [pages.data]);
  const announcement = useNewEventAnnouncement(events);

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
  if (events.length === 0) return <Empty title="No events yet">They appear here as soon as the edge reports them.</Empty>;
  return (
    <>
      <p className="visually-hidden" aria-live="polite" data-testid="event-announcer">
        {announcement}
      </p>
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

const ANNOUNCE_EVERY_MS = 5_000;

/**
 * What screen readers hear about live events: at most every 5 s, how many arrived at the top of the list since the
 * last announcement and what the newest one was (a busy camera would otherwise talk without pause).
 */
function useNewEventAnnouncement(events: readonly StoredEvent[]): string {
  const [text, setText] = useState('');
  const announcedId = useRef<string | undefined>(undefined);
  const lastAt = useRef(0);
  const newestId = events[0]?.event.id;
  useEffect(() => {
    if (newestId === undefined) return;
    if (announcedId.current === undefined) {
      // The list as first loaded is not news.
      announcedId.current = newestId;
      return;
    }
    if (announcedId.current === newestId) return;
    const speak = () => {
      const index = events.findIndex((e) => e.event.id === announcedId.current);
      const count = index < 0 ? 1 : index;
      if (count === 0) return;
      announcedId.current = events[0]!.event.id;
      lastAt.current = Date.now();
      setText(`${count === 1 ? '1 new event' : `${count} new events`}, the latest: ${describeEvent(events[0]!)} on ${events[0]!.event.cameraId}`);
    };
    const wait = lastAt.current + ANNOUNCE_EVERY_MS - Date.now();
    if (wait <= 0) {
      speak();
      return;
    }
    const timer = setTimeout(speak, wait);
    return () => clearTimeout(timer);
  }, [newestId, events]);
  return text;
}
