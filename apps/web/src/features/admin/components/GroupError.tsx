import { Text } from '@mantine/core';

/** The api's error about a group of fields (the opening hours, the bands), under the group. */
export function GroupError({ error }: { error?: string }) {
  if (!error) return null;
  return (
    <Text c="red" size="sm" role="alert">
      {error}
    </Text>
  );
}
