import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiScope as Scope, MeResponse } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { isUnauthorized } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';

const SCOPE_RANK: Record<Scope, number> = { read: 0, operate: 1, admin: 2 };

export interface Session {
  me: MeResponse;
  /** Whether the signed-in user may do what needs `scope`; the API checks it again, this only hides buttons. */
  can(scope: Scope): boolean;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** The caller (`GET /auth/me`): undefined while loading, null when nobody is signed in. */
export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async () => {
      try {
        return await hub.auth.me();
      } catch (err) {
        if (isUnauthorized(err)) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

export function SessionProvider({ me, children }: { me: MeResponse; children: ReactNode }) {
  const client = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => hub.auth.logout(),
    onSettled: () => {
      // Nothing of the previous user may stay on screen or in the cache.
      client.clear();
      client.setQueryData(queryKeys.me, null);
    },
  });
  const session = useMemo<Session>(
    () => ({
      me,
      can: (scope) => SCOPE_RANK[me.scope] >= SCOPE_RANK[scope],
      signOut: async () => {
        await signOut.mutateAsync().catch(() => undefined);
      },
    }),
    [me, signOut],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
