import { Badge, NavLink, Stack, Text } from '@mantine/core';
import { NavLink as RouterLink, useLocation } from 'react-router';
import { formatCount, plural } from '@/lib/format';

export interface CountedNavItem {
  key: string;
  to: string;
  label: string;
  description?: string;
  /** tickets in the list (undefined while counting) */
  count: number | null | undefined;
}

/** A titled list of ticket lists in the sidebar, each with its count; the open one is marked. */
export function CountedNav({
  title,
  items,
  onNavigate,
}: {
  title: string;
  items: CountedNavItem[];
  onNavigate?: () => void;
}) {
  const location = useLocation();
  return (
    <Stack gap={2} component="nav" aria-label={title}>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pb={4}>
        {title}
      </Text>
      {items.map((item) => (
        <NavLink
          key={item.key}
          component={RouterLink}
          to={item.to}
          onClick={onNavigate}
          label={item.label}
          description={item.description}
          active={location.pathname === item.to}
          rightSection={
            <Badge size="sm" variant="light" color="gray" aria-label={plural(item.count, 'ticket')}>
              {formatCount(item.count)}
            </Badge>
          }
        />
      ))}
    </Stack>
  );
}
