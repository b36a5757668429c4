import { NavLink, Outlet } from 'react-router';
import { useSession } from '../auth/session.js';
import { useLiveEvents } from '../api/live-events.js';
import { ConnectionBanner } from './connection-banner.js';
import { useTheme } from './theme.js';
import './shell.css';

const NAV: { to: string; label: string; end?: boolean; scope?: 'read' | 'operate' | 'admin' }[] = [
  { to: '/', label: 'Cameras', end: true },
  { to: '/fleet', label: 'Fleet' },
  { to: '/events', label: 'Events' },
  { to: '/analytics', label: 'Analytics' },
  { to: '/apps', label: 'Apps' },
  { to: '/sessions', label: 'Sessions' },
  { to: '/hosts', label: 'Hosts' },
  { to: '/models', label: 'Models' },
  { to: '/settings', label: 'Settings' },
];

export function AppShell() {
  const session = useSession();
  const [theme, setTheme] = useTheme();
  useLiveEvents(true);
  const who = session.me.user?.username ?? 'API key';
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" /> Sightline
        </div>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => !item.scope || session.can(item.scope)).map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-actions">
          <button
            type="button"
            className="icon-button"
            aria-label={theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'}
            title="Theme"
            onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          <span className="who" title={`scope: ${session.me.scope}`}>
            {who} <span className="badge">{session.me.user?.role ?? session.me.scope}</span>
          </span>
          <button type="button" className="button ghost" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
