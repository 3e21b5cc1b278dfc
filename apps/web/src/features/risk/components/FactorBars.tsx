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
    <Stack gap={4} miw={220}>
      {factors.map((f) => {
        const pts = Math.round(f.contribution * 10) / 10;
        return (
          <Tooltip key={f.name} label={`${f.label}: +${pts} points`} withArrow>
            <Group gap={8} wrap="nowrap">
              <Box w={40} style={{ flexShrink: 0 }} aria-hidden>
                <Box
                  h={8}
                  w={Math.max(3, Math.min(40, (f.contribution / max) * 40))}
                  bg="orange.6"
                  style={{ borderRadius: 2 }}
                />
              </Box>
              <Text size="xs" fw={600} w={40} ta="right" style={{ flexShrink: 0 }}>
                +{pts}
              </Text>
              <Text size="xs" lineClamp={1}>
                {f.label}
              </Text>
            </Group>
          </Tooltip>
        );
      })}
    </Stack>
  );
}
