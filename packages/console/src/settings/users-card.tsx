import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiRole, User } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorField, errorMessage } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';
import { Field } from '../ui/field.js';
import { formatAgo } from '../ui/format.js';
import { Empty, QueryView } from '../ui/states.js';
import { useSession } from '../auth/session.js';

const ROLE_TEXT: Record<ApiRole, string> = {
  viewer: 'viewer: watches cameras and events, plays apps',
  operator: 'operator: also edits cameras, zones and lines',
  admin: 'admin: also devices, hosts, apps, users, keys and settings',
};

/** Who can sign in, and with which role (admins only; the hub refuses the calls to anyone else). */
export function UsersCard() {
  const client = useQueryClient();
  const users = useQuery({ queryKey: queryKeys.users, queryFn: ({ signal }) => hub.users.list({ signal }) });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<ApiRole>('viewer');
  const [created, setCreated] = useState<User | undefined>();
  const create = useMutation({
    mutationFn: () => hub.users.create({ username, password, role }),
    onSuccess: (user) => {
      setCreated(user);
      setUsername('');
      setPassword('');
      void client.invalidateQueries({ queryKey: queryKeys.users });
    },
  });
  const session = useSession();
  const changed = () => void client.invalidateQueries({ queryKey: queryKeys.users });
  const setUserRole = useMutation({ mutationFn: ({ id, role }: { id: string; role: ApiRole }) => hub.users.update(id, { role }), onSettled: changed });
  const remove = useMutation({ mutationFn: (id: string) => hub.users.remove(id), onSettled: changed });
  const rowError = setUserRole.error ?? remove.error;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const fieldError = (field: string) => (errorField(create.error) === field ? errorMessage(create.error) : undefined);
  return (
    <div className="card">
      <h2>Users</h2>
      <p className="muted">Each person signs in with their own password; their role decides what the console shows them and what the API lets them do.</p>
      <form className="inline-form" onSubmit={submit} aria-label="Add a user">
        <Field label="Username" error={fieldError('username')}>
          {(props) => <input {...props} name="newUsername" autoComplete="off" required value={username} onChange={(e) => setUsername(e.target.value)} />}
        </Field>
        <Field label="Password" error={fieldError('password')}>
          {(props) => (
            <input {...props} name="newPassword" type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
        <Field label="Role">
          {(props) => (
            <select {...props} name="newRole" value={role} onChange={(e) => setRole(e.target.value as ApiRole)}>
              {(Object.keys(ROLE_TEXT) as ApiRole[]).map((r) => (
                <option key={r} value={r}>
                  {ROLE_TEXT[r]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="button primary" disabled={create.isPending}>
          Add user
        </button>
      </form>
      {create.error && !['username', 'password'].includes(errorField(create.error) ?? '') ? (
        <p className="form-error" role="alert">
          {errorMessage(create.error)}
        </p>
      ) : null}
      {created ? (
        <p className="notice" role="status">
          {created.username} can now sign in as {created.role}.
        </p>
      ) : null}
      {rowError ? (
        <p className="form-error" role="alert">
          {errorMessage(rowError)}
        </p>
      ) : null}
      <QueryView query={users} empty={(list) => (list.length === 0 ? <Empty title="No users" /> : undefined)}>
        {(list) => (
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Role</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((user) => (
                  <tr key={user.id}>
                    <th scope="row">{user.username}</th>
                    <td>
                      {user.id === session.me.user?.id ? (
                        `${user.role} (you)`
                      ) : (
                        <select
                          aria-label={`Role of ${user.username}`}
                          value={user.role}
                          disabled={setUserRole.isPending}
                          onChange={(e) => setUserRole.mutate({ id: user.id, role: e.target.value as ApiRole })}
                        >
                          {(Object.keys(ROLE_TEXT) as ApiRole[]).map((r) => (
                            <option key={r} value={r}>
                              {r}
                            </option>
                          ))}
                        </select>
                      )}
                    </td>
                    <td>{formatAgo(user.createdAt)}</td>
                    <td>
                      {user.id === session.me.user?.id ? null : (
                        <button
                          type="button"
                          className="button small danger"
                          aria-label={`Remove user ${user.username}`}
                          onClick={() => {
                            if (window.confirm(`Remove ${user.username}? Their sessions and keys stop working at once.`)) remove.mutate(user.id);
                          }}
                        >
                          Remove
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </div>
  );
}
