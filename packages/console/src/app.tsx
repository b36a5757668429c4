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
import { NotFoundPage } from './shell/not-found-page.js';

// The charting library is the largest dependency: loaded only when analytics is opened.
const AnalyticsPage = lazy(() => import('./analytics/analytics-page.js').then((m) => ({ default: m.AnalyticsPage })));

const router = createBrowserRouter([
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
      { path: 'settings', element: <SettingsPage /> },
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
  if (me.data === null) return <SignInPage />;
  return (
    <SessionProvider me={me.data}>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}
