import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { createContext, useCallback, useContext, type ReactNode } from 'react';
import { LogoutDocument, MeDocument, type MeQuery } from '@/gql/graphql';

export type SessionUser = MeQuery['me'];

interface Session {
  user: SessionUser | null;
  loading: boolean;
  signOut(): Promise<void>;
  refresh(): Promise<unknown>;
}

const SessionContext = createContext<Session | null>(null);

/** Who is signed in (the `me` query over the session cookie); null when nobody is. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useApolloClient();
  const { data, loading, refetch } = useQuery(MeDocument, {
    fetchPolicy: 'network-only',
    nextFetchPolicy: 'cache-first',
    errorPolicy: 'all',
  });
  const [logout] = useMutation(LogoutDocument);
  const signOut = useCallback(async () => {
    try {
      await logout();
    } finally {
      await client.clearStore();
      await refetch().catch(() => undefined);
    }
  }, [client, logout, refetch]);
  return (
    <SessionContext.Provider
      value={{ user: data?.me ?? null, loading: loading && !data, signOut, refresh: refetch }}
    >
      {children}
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** Where each role starts. */
export function homeOf(role: SessionUser['role']): string {
  switch (role) {
    case 'team_lead':
      return '/kpis';
    case 'account_manager':
      return '/risk';
    default:
      return '/queue/my-open';
  }
}
