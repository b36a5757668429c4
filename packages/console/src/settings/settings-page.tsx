import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  UpdateHubSettingsRequestSchema,
  type ApiKeyCreated,
  type ApiScope,
  type HubSettings,
  type IceServerSetting,
  type SettingSource,
  type UpdateHubSettingsRequest,
} from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorField, errorMessage } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';
import { useSession } from '../auth/session.js';
import { CopyButton } from '../ui/copy-button.js';
import { Field } from '../ui/field.js';
import { formatAgo, formatBytes } from '../ui/format.js';
import { Empty, QueryView } from '../ui/states.js';
import { issuesByField } from '../ui/zod-issues.js';
import { hubSettingsKey, useHubSettings } from './use-hub-settings.js';
import { UsersCard } from './users-card.js';
import './settings.css';

const SCOPE_TEXT: Record<ApiScope, string> = {
  read: 'read: cameras, events, counts, live video',
  operate: 'operate: also edits cameras, zones and lines',
  admin: 'admin: also devices, users and keys',
};

export function SettingsPage() {
  const session = useSession();
  const settings = useHubSettings();
  return (
    <section className="page" aria-labelledby="settings-title">
      <div className="page-header">
        <h1 id="settings-title">Settings</h1>
        {session.can('admin') ? null : <span className="muted small">Only administrators change settings.</span>}
      </div>
      <QueryView query={settings}>
        {(current) => (
          <div className="settings-grid">
            <RetentionCard settings={current} editable={session.can('admin')} />
            <IceServersCard settings={current} editable={session.can('admin')} />
          </div>
        )}
      </QueryView>
      {session.can('admin') ? <UsersCard /> : null}
      {session.can('admin') ? <ApiKeys /> : null}
    </section>
  );
}

const SOURCE_TEXT: Record<SettingSource, string> = {
  default: 'built-in default',
  startup: 'set when the hub started',
  console: 'set here',
};

function SourceNote({ source, settings }: { source: SettingSource; settings: HubSettings }) {
  return (
    <p className="muted small">
      Value: {SOURCE_TEXT[source]}
      {source === 'console' && settings.updatedAt ? ` (last change ${formatAgo(settings.updatedAt)}${settings.updatedBy ? ` by ${settings.updatedBy}` : ''})` : ''}.
    </p>
  );
}

/** Saves part of the settings (validated here with the protocol's schema first, then by the hub) into the cache. */
function useSaveSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: UpdateHubSettingsRequest) => {
      const parsed = UpdateHubSettingsRequestSchema.safeParse(patch);
      if (!parsed.success) throw new LocalValidationError(issuesByField(parsed.error));
      return hub.settings.update(parsed.data);
    },
    onSuccess: (saved) => client.setQueryData(hubSettingsKey, saved),
  });
}

class LocalValidationError extends Error {
  constructor(readonly fields: Map<string, string>) {
    super([...fields.entries()].map(([field, message]) => `${field}: ${message}`).join('; '));
  }
}

/** The message for one field (`iceServers[0].urls`), from the local check or the hub's answer. */
function errorFor(error: unknown, field: string): string | undefined {
  if (error instanceof LocalValidationError) return error.fields.get(field);
  return errorField(error) === field ? errorMessage(error) : undefined;
}

/** An error no field shows. */
function formErrorOf(error: unknown, fields: readonly string[]): string | undefined {
  if (!error) return undefined;
  if (error instanceof LocalValidationError) return [...error.fields.keys()].some((f) => fields.includes(f)) ? undefined : error.message;
  const field = errorField(error);
  return field && fields.includes(field) ? undefined : errorMessage(error);
}

function RetentionCard({ settings, editable }: { settings: HubSettings; editable: boolean }) {
  const [days, setDays] = useState(String(settings.eventRetentionDays));
  const save = useSaveSettings();
  const [saved, setSaved] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate({ eventRetentionDays: days.trim() === '' ? Number.NaN : Number(days) }, { onSuccess: () => setSaved(true) });
  };
  const { recordings } = settings;
  return (
    <div className="card" data-testid="retention-settings">
      <h2>Retention</h2>
      {editable ? (
        <form className="inline-form" onSubmit={submit} aria-label="Event retention">
          <Field label="Keep events and snapshots (days)" error={errorFor(save.error, 'eventRetentionDays')}>
            {(props) => <input {...props} name="eventRetentionDays" type="number" min={1} max={36500} step={1} required value={days} onChange={(e) => setDays(e.target.value)} />}
          </Field>
          <button type="submit" className="button primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save retention'}
          </button>
        </form>
      ) : (
        <p>
          Events and their snapshots are kept <strong>{settings.eventRetentionDays} days</strong>.
        </p>
      )}
      <p className="small" aria-live="polite">
        {saved && !save.isPending ? `Saved: events older than ${settings.eventRetentionDays} days are being deleted now.` : ''}
      </p>
      {formErrorOf(save.error, ['eventRetentionDays']) ? (
        <p className="form-error" role="alert">
          {formErrorOf(save.error, ['eventRetentionDays'])}
        </p>
      ) : null}
      <SourceNote source={settings.sources.eventRetentionDays} settings={settings} />
      <h3>Recordings</h3>
      <dl className="facts stacked">
        <div>
          <dt>Budget for all cameras</dt>
          <dd data-testid="recordings-budget">{recordings.maxBytes === null ? 'none' : formatBytes(recordings.maxBytes)}</dd>
        </div>
        <div>
          <dt>In use</dt>
          <dd>{formatBytes(recordings.usedBytes)}</dd>
        </div>
        <div>
          <dt>Kept per camera unless its recording settings say otherwise</dt>
          <dd>{recordings.defaultRetainDays} days</dd>
        </div>
      </dl>
      <p className="muted small">
        The budget is set when the hub starts (<code>sightline hub --recordings-max-gb</code>); past it the oldest recordings of any camera go first.
      </p>
    </div>
  );
}

interface IceRow {
  urls: string;
  username: string;
  credential: string;
}

const toRows = (servers: readonly IceServerSetting[]): IceRow[] =>
  servers.map((s) => ({ urls: [s.urls].flat().join(' '), username: s.username ?? '', credential: s.credential ?? '' }));

function fromRows(rows: readonly IceRow[]): IceServerSetting[] {
  return rows.map((row) => {
    const urls = row.urls.split(/[\s,]+/).filter(Boolean);
    return {
      urls: urls.length === 1 ? urls[0]! : urls,
      ...(row.username ? { username: row.username } : {}),
      ...(row.credential ? { credential: row.credential } : {}),
    };
  });
}

function IceServersCard({ settings, editable }: { settings: HubSettings; editable: boolean }) {
  const [rows, setRows] = useState<IceRow[]>(() => toRows(settings.iceServers));
  const save = useSaveSettings();
  const [saved, setSaved] = useState(false);
  const update = (i: number, key: keyof IceRow, value: string) => setRows((all) => all.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate({ iceServers: fromRows(rows) }, { onSuccess: (s) => (setRows(toRows(s.iceServers)), setSaved(true)) });
  };
  const fields = rows.flatMap((_, i) => ['urls', 'username', 'credential'].map((k) => `iceServers[${i}].${k}`));
  const urlError = (i: number) => errorFor(save.error, `iceServers[${i}].urls`) ?? [0, 1, 2, 3, 4, 5, 6, 7].map((k) => errorFor(save.error, `iceServers[${i}].urls[${k}]`)).find(Boolean);
  return (
    <div className="card" data-testid="ice-settings">
      <h2>ICE servers (STUN/TURN)</h2>
      <p className="muted small">
        For live video across NATs and firewalls. Viewers' browsers, the hub's relay and publishing edges use them; none are needed when everyone reaches the hub directly. New connections use a change at once; open ones keep their servers.
      </p>
      {editable ? (
        <form onSubmit={submit} aria-label="ICE servers">
          {rows.length === 0 ? <p className="muted">No ICE servers.</p> : null}
          <ol className="ice-rows">
            {rows.map((row, i) => (
              <li key={i} className="ice-row">
                <fieldset>
                  <legend>Server {i + 1}</legend>
                  <Field label="URLs" hint="stun:host:port or turn:host:port; several separated by spaces" error={urlError(i)}>
                    {(props) => <input {...props} name={`ice-${i}-urls`} value={row.urls} onChange={(e) => update(i, 'urls', e.target.value)} placeholder="stun:stun.example.org:3478" />}
                  </Field>
                  <Field label="Username (TURN)" error={errorFor(save.error, `iceServers[${i}].username`)}>
                    {(props) => <input {...props} name={`ice-${i}-username`} autoComplete="off" value={row.username} onChange={(e) => update(i, 'username', e.target.value)} />}
                  </Field>
                  <Field label="Credential (TURN)" error={errorFor(save.error, `iceServers[${i}].credential`)}>
                    {(props) => <input {...props} name={`ice-${i}-credential`} type="password" autoComplete="off" value={row.credential} onChange={(e) => update(i, 'credential', e.target.value)} />}
                  </Field>
                  <button type="button" className="button small danger" aria-label={`Remove server ${i + 1}`} onClick={() => setRows((all) => all.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                </fieldset>
              </li>
            ))}
          </ol>
          <div className="actions start">
            <button type="button" className="button" disabled={rows.length >= 10} onClick={() => setRows((all) => [...all, { urls: '', username: '', credential: '' }])}>
              Add server
            </button>
            <button type="submit" className="button primary" disabled={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save ICE servers'}
            </button>
          </div>
        </form>
      ) : settings.iceServers.length === 0 ? (
        <p>No ICE servers: live video works where viewers and edges reach the hub directly.</p>
      ) : (
        <ul className="plain-list" aria-label="ICE servers">
          {settings.iceServers.map((server, i) => (
            <li key={i}>
              <code>{[server.urls].flat().join(' ')}</code>
              {server.username ? <span className="muted small"> (user {server.username})</span> : null}
            </li>
          ))}
        </ul>
      )}
      <p className="small" aria-live="polite">
        {saved && !save.isPending ? 'Saved: new live connections use these servers.' : ''}
      </p>
      {formErrorOf(save.error, fields) ? (
        <p className="form-error" role="alert">
          {formErrorOf(save.error, fields)}
        </p>
      ) : null}
      <SourceNote source={settings.sources.iceServers} settings={settings} />
    </div>
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
          <div className="table-scroll">
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
          </div>
        )}
      </QueryView>
    </div>
  );
}
