import { useQuery } from '@apollo/client/react';
import { useMemo } from 'react';
import { CountedNav } from '@/components/CountedNav';
import { CountsLiveDocument, ViewCountsDocument } from '@/gql/graphql';
import { useLive, useTrailing } from '@/lib/live';
import { VIEWS } from '../views';

/**
 * The agent's views with live counts: recounted (at most once a second) when a ticket the agent can
 * see changes, every 60 s as a fallback, and after the agent's own changes.
 */
export function ViewsNav({
  teamIds,
  onNavigate,
}: {
  /** Every team of the signed-in user ("my teams" views). */
  teamIds: string[];
  onNavigate?: () => void;
}) {
  // by value: the session gives a new array on every refresh
  const teamKey = teamIds.join(',');
  const variables = useMemo(() => {
    const me = { teamIds: teamKey ? teamKey.split(',') : [] };
    const [mine, unassigned, teams, pending, solved] = VIEWS.map((v) => v.filter(me));
    return { mine, unassigned, teams, pending, solved };
  }, [teamKey]);
  const { data, refetch } = useQuery(ViewCountsDocument, { variables, pollInterval: 60_000 });
  const recount = useTrailing(() => void refetch(), 1000);
  useLive(CountsLiveDocument, { onData: recount, onRestart: recount });
  const counts: Record<string, number | null | undefined> = {
    'my-open': data?.mine.totalCount,
    unassigned: data?.unassigned.totalCount,
    'team-open': data?.teams.totalCount,
    pending: data?.pending.totalCount,
    solved: data?.solved.totalCount,
  };
  return (
    <CountedNav
      title="Views"
      onNavigate={onNavigate}
      items={VIEWS.map((v) => ({
        key: v.key,
        to: `/queue/${v.key}`,
        label: v.label,
        count: counts[v.key],
      }))}
    />
  );
}
