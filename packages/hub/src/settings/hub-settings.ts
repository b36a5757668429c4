import type { Logger } from 'pino';
import type { IceOptions } from '@sightline/media';
import {
  EditableHubSettingsSchema,
  RecordingConfigSchema,
  type EditableHubSettings,
  type HubSettings,
  type IceServerSetting,
  type SettingSource,
  type UpdateHubSettingsRequest,
} from '@sightline/protocol';
import type { Store } from '../store/store.js';

export const DEFAULT_EVENT_RETENTION_DAYS = 30;
const DEFAULT_RECORDING_RETAIN_DAYS = RecordingConfigSchema.parse({}).retainDays;

type Name = keyof EditableHubSettings;
const NAMES = Object.keys(EditableHubSettingsSchema.shape) as Name[];

export interface HubSettingsOptions {
  store: Store;
  log: Logger;
  /** The values the hub was started with (`--retention-days`, `--ice-server`); undefined: the built-in default. */
  startup: { eventRetentionDays?: number; ice?: IceOptions };
  /** The recordings budget the hub was started with, shown read-only. */
  recordingsMaxBytes: number | undefined;
}

/**
 * The settings an administrator changes at run time. A stored value (set through the API) wins over the start
 * option, which wins over the built-in default. Changes take effect at once: `liveIce` is the one ICE options object
 * the live relays and the live service share, and its `iceServers` is replaced in place, so every peer connection
 * made afterwards (viewers, publishers, the next publish command to an edge) uses the new servers; listeners hear of
 * every change (the event retention job runs again).
 */
export class HubSettingsService {
  readonly liveIce: IceOptions;
  private values: EditableHubSettings;
  private sources: Record<Name, SettingSource>;
  private updatedAt: number | null = null;
  private updatedBy: string | null = null;
  private readonly listeners = new Set<(changed: Name[]) => void>();
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: HubSettingsOptions) {
    const startupIce = options.startup.ice?.iceServers ?? [];
    this.values = {
      eventRetentionDays: options.startup.eventRetentionDays ?? DEFAULT_EVENT_RETENTION_DAYS,
      iceServers: startupIce.map((server) => ({ ...server })),
    };
    this.sources = {
      eventRetentionDays: options.startup.eventRetentionDays === undefined ? 'default' : 'startup',
      iceServers: startupIce.length > 0 ? 'startup' : 'default',
    };
    this.liveIce = { ...options.startup.ice, iceServers: this.values.iceServers };
  }

  /** Reads the stored settings; a stored value this hub cannot use is logged and left out (the default applies). */
  static async load(options: HubSettingsOptions): Promise<HubSettingsService> {
    const service = new HubSettingsService(options);
    for (const row of await options.store.getSettings()) {
      if (!(NAMES as string[]).includes(row.name)) continue;
      const name = row.name as Name;
      const parsed = EditableHubSettingsSchema.shape[name].safeParse(row.value);
      if (!parsed.success) {
        options.log.warn({ setting: name, issues: parsed.error.issues }, 'stored hub setting is not valid; using the start option or default');
        continue;
      }
      service.apply({ [name]: parsed.data });
      service.sources[name] = 'console';
      if (service.updatedAt === null || row.updatedAt > service.updatedAt) {
        service.updatedAt = row.updatedAt;
        service.updatedBy = row.updatedBy;
      }
    }
    return service;
  }

  get eventRetentionDays(): number {
    return this.values.eventRetentionDays;
  }

  get iceServers(): IceServerSetting[] {
    return this.values.iceServers;
  }

  onChange(listener: (changed: Name[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async view(): Promise<HubSettings> {
    return {
      ...this.values,
      sources: { ...this.sources },
      updatedAt: this.updatedAt,
      updatedBy: this.updatedBy,
      recordings: {
        maxBytes: this.options.recordingsMaxBytes ?? null,
        usedBytes: await this.options.store.recordingBytes(),
        defaultRetainDays: DEFAULT_RECORDING_RETAIN_DAYS,
      },
    };
  }

  /** Stores and applies a validated patch (UpdateHubSettingsRequestSchema); updates run one at a time. */
  async update(patch: UpdateHubSettingsRequest, by: string | null, at = Date.now()): Promise<HubSettings> {
    const run = this.chain.then(async () => {
      const changed = NAMES.filter((name) => patch[name] !== undefined);
      const values = Object.fromEntries(changed.map((name) => [name, patch[name]]));
      await this.options.store.putSettings(values, at, by);
      this.apply(values as Partial<EditableHubSettings>);
      for (const name of changed) this.sources[name] = 'console';
      this.updatedAt = at;
      this.updatedBy = by;
      this.options.log.info({ settings: changed, by }, 'hub settings changed');
      for (const listener of this.listeners) listener(changed);
      return this.view();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private apply(values: Partial<EditableHubSettings>): void {
    if (values.eventRetentionDays !== undefined) this.values.eventRetentionDays = values.eventRetentionDays;
    if (values.iceServers !== undefined) {
      this.values.iceServers = values.iceServers.map((server) => ({ ...server }));
      this.liveIce.iceServers = this.values.iceServers;
    }
  }
}
