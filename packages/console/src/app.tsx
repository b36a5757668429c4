import { lazy, Suspense } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { SessionProvider, useMe } from './auth/session.js';
import { SignInPage } from './auth/sign-in-page.js';
import { AppShell } from './shell/app-shell.js';
import { ConnectionBanner } from './shell/connection-banner.js';
import { useTheme } from './shell/theme.js';
import { ErrorState, Loading } from './ui/states.js';
import { CameraWallPage } from './wall/camera-wall-page.js';
import { FleetPage } from './fleet/fleet-page.js';
import { CameraPage } from './camera/camera-page.js';
import { EventsPage } from './events/events-page.js';
import { SettingsPage } from './settings/settings-page.js';
import { ModelsPage } from './models/models-page.js';
import { NotFoundPage } from './shell/not-found-page.js';
import { AppsPage } from './apps/apps-page.js';
import { SessionsPage } from './apps/sessions-page.js';
import { HostsPage } from './hosts/hosts-page.js';
import { PlayPage } from './play/play-page.js';
import { SpectatorApp } from './play/spectator-app.js';
import { isSpectateLink } from './play/spectate-link.js';

// The charting library is the largest dependency: loaded only when analytics is opened.
const AnalyticsPage = lazy(() => import('./analytics/analytics-page.js').then((m) => ({ default: m.AnalyticsPage })));

const router = createBrowserRouter([
  // The player page is full screen, outside the shell (cloud streaming).
  { path: '/play/:sessionId', element: <PlayPage /> },
  {
    path: '/',
    element: <AppShell />,
    children: [
      { index: true, element: <CameraWallPage /> },
      { path: 'cameras/:cameraId', element: <CameraPage /> },
      { path: 'fleet', element: <FleetPage /> },
      { path: 'events', element: <EventsPage /> },
      {
        path: 'analytics',
        element: (
          <Suspense fallback={<Loading />}>
            <AnalyticsPage />
          </Suspense>
        ),
      },
      { path: 'models', element: <ModelsPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: 'apps', element: <AppsPage /> },
      { path: 'sessions', element: <SessionsPage /> },
      { path: 'hosts', element: <HostsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  useTheme();
  const me = useMe();
  if (me.isPending) return <Loading label="Connecting to the hub…" />;
  if (me.data === undefined) {
    return (
      <>
        <ConnectionBanner />
        <ErrorState error={me.error} retry={() => void me.refetch()} />
      </>
    );
  }
  // A spectate link opens its session view-only without signing in.
  if (me.data === null) return isSpectateLink(window.location) ? <SpectatorApp /> : <SignInPage />;
  return (
    <SessionProvider me={me.data}>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}
