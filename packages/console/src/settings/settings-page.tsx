import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiKeyCreated, ApiScope } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorField, errorMessage } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';
import { useSession } from '../auth/session.js';
import { CopyButton } from '../ui/copy-button.js';
import { Field } from '../ui/field.js';
import { formatAgo } from '../ui/format.js';
import { Empty, QueryView } from '../ui/states.js';

const SCOPE_TEXT: Record<ApiScope, string> = {
  read: 'read: cameras, events, counts, live video',
  operate: 'operate: also edits cameras, zones and lines',
  admin: 'admin: also devices, users and keys',
};

export function SettingsPage() {
  const session = useSession();
  if (!session.can('admin')) {
    return (
      <section className="page">
        <h1>Settings</h1>
        <p>Only administrators manage API keys.</p>
      </section>
    );
  }
  return (
    <section className="page" aria-labelledby="settings-title">
      <div className="page-header">
        <h1 id="settings-title">Settings</h1>
      </div>
      <ApiKeys />
      <p className="muted small">Retention and ICE servers are set when the hub starts (`sightline hub --help`); the console cannot change them yet.</p>
    </section>
  );
}

function ApiKeys() {
  const client = useQueryClient();
  const keys = useQuery({ queryKey: queryKeys.apiKeys, queryFn: ({ signal }) => hub.apiKeys.list({ signal }) });
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiScope>('read');
  const [created, setCreated] = useState<ApiKeyCreated>();
  const create = useMutation({
    mutationFn: () => hub.apiKeys.create({ name, scope }),
    onSuccess: (key) => {
      setCreated(key);
      setName('');
      void client.invalidateQueries({ queryKey: queryKeys.apiKeys });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => hub.apiKeys.revoke(id),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.apiKeys }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <div className="card">
      <h2>API keys</h2>
      <p className="muted">For scripts, the SDK and the `sightline` command. A key is shown once, when it is created.</p>
      <form className="inline-form" onSubmit={submit}>
        <Field label="Name" error={errorField(create.error) === 'name' ? errorMessage(create.error) : undefined}>
          {(props) => <input {...props} name="keyName" required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Scope">
          {(props) => (
            <select {...props} name="keyScope" value={scope} onChange={(e) => setScope(e.target.value as ApiScope)}>
              {(Object.keys(SCOPE_TEXT) as ApiScope[]).map((s) => (
                <option key={s} value={s}>
                  {SCOPE_TEXT[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="button primary" disabled={create.isPending}>
          Create key
        </button>
      </form>
      {create.error && errorField(create.error) !== 'name' ? (
        <p className="form-error" role="alert">
          {errorMessage(create.error)}
        </p>
      ) : null}
      {created ? (
        <div className="notice" role="status">
          New key “{created.name}” ({created.scope}). Copy it now, it is not shown again:
          <div className="code-row">
            <code data-testid="new-api-key">{created.key}</code>
            <CopyButton text={created.key} />
          </div>
        </div>
      ) : null}
      <QueryView query={keys} empty={(list) => (list.length === 0 ? <Empty title="No API keys" /> : undefined)}>
        {(list) => (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scope</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((key) => (
                <tr key={key.id}>
                  <th scope="row">{key.name}</th>
                  <td>{key.scope}</td>
                  <td>{formatAgo(key.createdAt)}</td>
                  <td>{key.lastUsedAt ? formatAgo(key.lastUsedAt) : 'never'}</td>
                  <td>{key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt < Date.now() ? 'expired' : 'active'}</td>
                  <td>
                    {key.revokedAt ? null : (
                      <button
                        type="button"
                        className="button small danger"
                        aria-label={`Revoke key ${key.name}`}
                        onClick={() => {
                          if (window.confirm(`Revoke “${key.name}”? Programs using it stop working at once.`)) revoke.mutate(key.id);
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </div>
  );
}
