import { createBrowserRouter, RouterProvider } from 'react-router';
import { SignInPage } from '../auth/sign-in-page.js';
import { PlayPage } from './play-page.js';

/**
 * For a spectate link opened by someone who is not signed in: only the player page, view only (the link's token
 * may watch that one session and nothing else); any other address (the page's Back link) asks to sign in.
 */
const spectatorRouter = createBrowserRouter([
  { path: '/play/:sessionId', element: <PlayPage /> },
  { path: '*', element: <SignInPage /> },
]);

export function SpectatorApp() {
  return <RouterProvider router={spectatorRouter} />;
}
