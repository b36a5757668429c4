import { ApiKeysResource } from './resources/api-keys.js';
import { AppsResource } from './resources/apps.js';
import { AuthResource } from './resources/auth.js';
import { CamerasResource } from './resources/cameras.js';
import { CountsResource } from './resources/counts.js';
import { DevicesResource } from './resources/devices.js';
import { EventsResource } from './resources/events.js';
import { HostsResource } from './resources/hosts.js';
import { RecordingsResource } from './resources/recordings.js';
import { SessionsResource } from './resources/sessions.js';
import { AnalyticsResource } from './resources/analytics.js';
import { ModelsResource } from './resources/models.js';
import { SettingsResource } from './resources/settings.js';
import { UsersResource } from './resources/users.js';
import { Transport, type SightlineClientOptions } from './transport.js';

/**
 * A typed client for a Sightline hub's REST API (/api/v1). Every answer is validated with the
 * @sightline/protocol schemas; every failure is a SightlineApiError.
 */
export class SightlineClient {
  readonly auth: AuthResource;
  readonly apiKeys: ApiKeysResource;
  readonly users: UsersResource;
  readonly devices: DevicesResource;
  readonly cameras: CamerasResource;
  readonly events: EventsResource;
  readonly counts: CountsResource;
  readonly recordings: RecordingsResource;
  readonly analytics: AnalyticsResource;
  readonly models: ModelsResource;
  readonly settings: SettingsResource;
  /** Cloud streaming: the apps catalogue, players' sessions and the hosts that run them. */
  readonly apps: AppsResource;
  readonly sessions: SessionsResource;
  readonly hosts: HostsResource;
  private readonly transport: Transport;

  constructor(options: SightlineClientOptions) {
    this.transport = new Transport(options);
    this.auth = new AuthResource(this.transport);
    this.apiKeys = new ApiKeysResource(this.transport);
    this.users = new UsersResource(this.transport);
    this.devices = new DevicesResource(this.transport);
    this.cameras = new CamerasResource(this.transport);
    this.events = new EventsResource(this.transport);
    this.counts = new CountsResource(this.transport);
    this.recordings = new RecordingsResource(this.transport);
    this.analytics = new AnalyticsResource(this.transport);
    this.models = new ModelsResource(this.transport);
    this.settings = new SettingsResource(this.transport);
    this.apps = new AppsResource(this.transport);
    this.sessions = new SessionsResource(this.transport);
    this.hosts = new HostsResource(this.transport);
  }

  /** The API root every call goes to, e.g. `http://127.0.0.1:8080/api/v1`. */
  get apiBase(): string {
    return this.transport.apiBase;
  }

  /** Switches the credential for later calls, e.g. to the token `auth.login` returned; undefined sends none. */
  setApiKey(apiKey: string | undefined): void {
    this.transport.apiKey = apiKey;
  }
}
