import { useQuery } from '@apollo/client/react';
import { Badge, NavLink, Stack, Text } from '@mantine/core';
import { NavLink as RouterLink, useLocation } from 'react-router';
import { SavedViewsNavDocument } from '@/gql/graphql';
import { formatCount } from '@/lib/format';

/** Saved views (personal, then shared with the team) with live counts, under the built-in views. */
export function SavedViewsNav({ onNavigate }: { onNavigate?: () => void }) {
  const location = useLocation();
  const { data } = useQuery(SavedViewsNavDocument, { pollInterval: 30_000 });
  const views = data?.savedViews ?? [];
  if (!views.length) return null;
  return (
    <Stack gap={2} component="nav" aria-label="Saved views">
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pb={4}>
        Saved views
      </Text>
      {views.map((v) => {
        const to = `/views/${v.id}`;
        return (
          <NavLink
            key={v.id}
            component={RouterLink}
            to={to}
            onClick={onNavigate}
            label={v.name}
            description={v.teamId ? 'Team' : undefined}
            active={location.pathname === to}
            rightSection={
              <Badge
                size="sm"
                variant="light"
                color="gray"
                aria-label={`${formatCount(v.count)} tickets`}
              >
                {formatCount(v.count)}
              </Badge>
            }
          />
        );
      })}
    </Stack>
  );
}
