import { Box, Group, Stack, Text, Tooltip } from '@mantine/core';

/** The top factors of a score as horizontal bars of their points (scaled to `max` points). */
export function FactorBars({
  factors,
  max = 40,
}: {
  factors: { name: string; label: string; contribution: number }[];
  max?: number;
}) {
  if (factors.length === 0)
    return (
      <Text size="xs" c="dimmed">
        Nothing adds risk
      </Text>
    );
  return (
    <Stack gap={4} miw={200}>
      {factors.map((f) => {
        const pts = Math.round(f.contribution * 10) / 10;
        return (
          <Tooltip key={f.name} label={`${f.label}: +${pts} points`} withArrow>
            <Group gap={6} wrap="nowrap">
              <Box
                aria-hidden
                h={8}
                w={Math.max(4, Math.min(60, (f.contribution / max) * 60))}
                bg="orange.6"
                style={{ borderRadius: 2, flexShrink: 0 }}
              />
              <Text size="xs" lineClamp={1}>
                {f.label}{' '}
                <Text span c="dimmed" size="xs">
                  +{pts}
                </Text>
              </Text>
            </Group>
          </Tooltip>
        );
      })}
    </Stack>
  );
}
