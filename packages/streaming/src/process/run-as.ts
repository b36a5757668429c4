/**
 * Who an app runs as. A host that runs as root must never run an app as root: the app is arbitrary code that the
 * player drives. The default gives each session its own numeric uid and gid (no passwd entry needed: setpriv takes
 * numbers), so one session's app can neither read another session's X cookie nor signal its processes, and ending a
 * session can sweep away every process that uid still owns.
 */
export type RunAsOption =
  /** Root: a dedicated uid/gid per session (`SESSION_UID_BASE` + display number). Not root: the host's own user. */
  | 'auto'
  /** The host's own user (development; the app then shares the host's privileges). */
  | 'current'
  /** A configured account (for example nobody/nogroup): shared by sessions, so never swept by uid. */
  | { uid: number; gid: number };

export interface RunAs {
  uid: number;
  gid: number;
  /** Only this session runs under this uid: every process it owns may be killed when the session ends. */
  dedicated: boolean;
}

/** Far above the uids of accounts and of container user namespaces' usual ranges, below 2^31. */
export const SESSION_UID_BASE = 1_500_000;

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** The identity to switch to, or undefined to run as the host's own user. */
export function resolveRunAs(option: RunAsOption, displayNumber: number): RunAs | undefined {
  if (option === 'current') return undefined;
  if (typeof option === 'object') {
    if (!Number.isInteger(option.uid) || !Number.isInteger(option.gid) || option.uid < 0 || option.gid < 0) {
      throw new Error(`invalid runAs: ${JSON.stringify(option)}`);
    }
    if (option.uid === 0) throw new Error('refusing to run an app as root');
    return isRoot() ? { uid: option.uid, gid: option.gid, dedicated: false } : undefined;
  }
  if (!isRoot()) return undefined;
  const id = SESSION_UID_BASE + displayNumber;
  return { uid: id, gid: id, dedicated: true };
}
