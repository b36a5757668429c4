import type { ParseArgsConfig } from 'node:util';
import { SightlineApiError, SightlineClient } from '@sightline/sdk';
import { UsageError } from './usage-error.js';

export const DEFAULT_HUB_URL = 'http://127.0.0.1:8080';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every hub command takes. */
export const hubOptions = {
  hub: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies Options;

export const hubUsage = `  --hub URL        the hub (default: $SIGHTLINE_HUB or ${DEFAULT_HUB_URL})
  --api-key KEY    API key (default: $SIGHTLINE_API_KEY; the variable keeps it out of the process list)
  --json           print the hub's JSON instead of a table`;

export interface HubConnection {
  client: SightlineClient;
  /** The hub URL in use, without a trailing slash. */
  hubUrl: string;
}

/**
 * Connects a client as the hub options say and runs `body`. A failed hub call prints `error: <message> (<code>)`
 * and exits 1; argument mistakes stay UsageErrors (exit 2).
 */
export async function withHub(values: { hub?: string; 'api-key'?: string }, body: (hub: HubConnection) => Promise<number>): Promise<number> {
  const hubUrl = values.hub ?? (process.env.SIGHTLINE_HUB || DEFAULT_HUB_URL);
  if (!/^https?:\/\/[^/]/i.test(hubUrl) || !URL.canParse(hubUrl)) throw new UsageError(`--hub must be an http(s) URL, got "${hubUrl}"`);
  const apiKey = values['api-key'] ?? (process.env.SIGHTLINE_API_KEY || undefined);
  const client = new SightlineClient({ baseUrl: hubUrl, apiKey });
  try {
    return await body({ client, hubUrl: hubUrl.replace(/\/+$/, '') });
  } catch (err) {
    if (!(err instanceof SightlineApiError)) throw err;
    console.error(`error: ${err.message} (${err.code})`);
    const hint = hintFor(err, apiKey !== undefined);
    if (hint) console.error(`hint: ${hint}`);
    return 1;
  }
}

function hintFor(err: SightlineApiError, hasKey: boolean): string | undefined {
  if (err.code === 'unreachable') return 'is the hub running? Point at it with --hub URL or SIGHTLINE_HUB';
  if (err.status === 401 && !hasKey) return 'pass an API key with --api-key KEY or SIGHTLINE_API_KEY';
  return undefined;
}

/** Exactly the named positionals, or a UsageError naming what is missing or extra. */
export function takePositionals(positionals: string[], names: string[], command: string): string[] {
  if (positionals.length < names.length) throw new UsageError(`${command} needs ${names.slice(positionals.length).map((n) => `<${n}>`).join(' ')}`);
  if (positionals.length > names.length) throw new UsageError(`unexpected argument "${positionals[names.length]}"`);
  return positionals;
}

/** The subcommand (first argument unless it is an option; `list` by default) and the rest. */
export function splitSubcommand(argv: string[]): [string, string[]] {
  const first = argv[0];
  if (first === undefined || first.startsWith('-')) return ['list', argv];
  return [first, argv.slice(1)];
}
