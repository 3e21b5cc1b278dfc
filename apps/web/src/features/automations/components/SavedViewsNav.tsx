import { useQuery } from '@apollo/client/react';
import { CountedNav } from '@/components/CountedNav';
import { SavedViewsNavDocument } from '@/gql/graphql';

/** Saved views (personal, then shared with the team) with live counts, under the built-in views. */
export function SavedViewsNav({ onNavigate }: { onNavigate?: () => void }) {
  const { data } = useQuery(SavedViewsNavDocument, { pollInterval: 30_000 });
  const views = data?.savedViews ?? [];
  if (!views.length) return null;
  return (
    <CountedNav
      title="Saved views"
      onNavigate={onNavigate}
      items={views.map((v) => ({
        key: v.id,
        to: `/views/${v.id}`,
        label: v.name,
        description: v.teamId ? 'Team' : undefined,
        count: v.count,
      }))}
    />
  );
}
