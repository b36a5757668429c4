import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { isSightlineApiError } from '@sightline/sdk';
import { hub } from '../api/client.js';
import { errorField, errorMessage } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';
import { Field } from '../ui/field.js';
import { Loading } from '../ui/states.js';

type Mode = 'sign-in' | 'setup';

/**
 * Sign-in, and on a new hub the first-run setup of the admin account. The hub's public `GET /setup/status` says which
 * one to show; only when it cannot be asked (the hub is unreachable) are both offered. Two people setting up at once:
 * the second is told the hub already has an administrator (`setup_complete`) and gets the sign-in form.
 */
export function SignInPage() {
  const client = useQueryClient();
  const status = useQuery({ queryKey: ['setup-status'], queryFn: ({ signal }) => hub.auth.setupStatus({ signal }), staleTime: 0, retry: 1 });
  const [chosen, setChosen] = useState<Mode>();
  const mode: Mode = chosen ?? (status.data?.needed ? 'setup' : 'sign-in');
  const setMode = (next: Mode) => setChosen(next);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (mode === 'setup') {
        try {
          await hub.auth.setup({ username, password });
        } catch (err) {
          if (isSightlineApiError(err, 'setup_complete')) {
            setMode('sign-in');
            void status.refetch();
            setNotice('This hub already has an administrator. Sign in with that account.');
            return;
          }
          throw err;
        }
      }
      // The hub sets the session as an HttpOnly cookie; the token in the answer is not kept anywhere.
      await hub.auth.login({ username, password });
      await client.invalidateQueries({ queryKey: queryKeys.me });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const field = errorField(error);
  const fieldError = (name: string) => (field === name ? errorMessage(error) : undefined);
  const formError = error && !field ? errorMessage(error) : undefined;

  if (status.isPending) return <Loading label="Connecting to the hub…" />;
  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <div className="brand large" aria-hidden="true">
          <span className="brand-mark" /> Sightline
        </div>
        <h1 id="sign-in-title">{mode === 'setup' ? 'Create the administrator' : 'Sign in'}</h1>
        {mode === 'setup' ? <p className="muted">First run: this account will manage the hub, its devices and its users.</p> : null}
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <Field label="Username" error={fieldError('username')}>
          {(props) => <input {...props} name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />}
        </Field>
        <Field label="Password" error={fieldError('password')} hint={mode === 'setup' ? 'At least 10 characters.' : undefined}>
          {(props) => (
            <input
              {...props}
              name="password"
              type="password"
              autoComplete={mode === 'setup' ? 'new-password' : 'current-password'}
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        {formError ? (
          <p className="form-error" role="alert">
            {formError}
          </p>
        ) : null}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Please wait…' : mode === 'setup' ? 'Create administrator' : 'Sign in'}
        </button>
        {status.data === undefined ? (
          // The hub could not say whether it has an administrator: offer both.
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setMode(mode === 'setup' ? 'sign-in' : 'setup');
              setError(undefined);
              setNotice(undefined);
            }}
          >
            {mode === 'setup' ? 'I already have an account' : 'First run? Create the administrator'}
          </button>
        ) : null}
      </form>
    </main>
  );
}
