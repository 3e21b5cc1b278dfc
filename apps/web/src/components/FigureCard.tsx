import { Group, Paper, Stack, Text, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Delta } from '@/lib/measures';

// the theme's text shades of teal and red meet AA contrast in both schemes
const TONE = {
  better: 'var(--mantine-color-teal-text)',
  worse: 'var(--mantine-color-red-text)',
  same: 'dimmed',
} as const;

/**
 * One figure with the previous period's value and the signed change beside it. With `onOpen`
 * the whole card is a button that opens the list behind the figure (keyboard reachable).
 */
export function FigureCard({
  label,
  value,
  sub,
  previous,
  delta,
  definition,
  onOpen,
  openLabel,
}: {
  label: string;
  value: string;
  sub?: ReactNode;
  previous?: string;
  delta?: Delta | null;
  definition?: string;
  onOpen?: () => void;
  openLabel?: string;
}) {
  const body = (
    <Stack gap={4} h="100%">
      <Group gap={6} justify="space-between" wrap="nowrap" align="flex-start">
        <Text size="sm" c="dimmed" fw={600}>
          {label}
        </Text>
        {definition && (
          <Tooltip label={definition} multiline w={300} withArrow>
            <Text
              component="span"
              size="xs"
              c="dimmed"
              fw={700}
              aria-label={`Definition: ${definition}`}
              role="note"
              style={{
                cursor: 'help',
                flex: 'none',
                width: 18,
                height: 18,
                lineHeight: '16px',
                textAlign: 'center',
                borderRadius: '50%',
                border: '1px solid var(--mantine-color-default-border)',
              }}
            >
              i
            </Text>
          </Tooltip>
        )}
      </Group>
      <Text fz={26} fw={700} lh={1.15} data-figure={label}>
        {value}
      </Text>
      {sub && (
        <Text size="xs" c="dimmed">
          {sub}
        </Text>
      )}
      <Group gap={6} wrap="wrap" mt="auto">
        {delta ? (
          <Text
            size="sm"
            fw={600}
            c={TONE[delta.tone]}
            aria-label={delta.words}
            style={{ whiteSpace: 'nowrap' }}
          >
            {delta.text}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            –
          </Text>
        )}
        {previous !== undefined && (
          <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
            vs {previous} before
          </Text>
        )}
      </Group>
    </Stack>
  );
  if (!onOpen)
    return (
      <Paper withBorder radius="md" p="md" role="group" aria-label={label}>
        {body}
      </Paper>
    );
  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      component="button"
      type="button"
      onClick={onOpen}
      aria-label={
        openLabel ?? `${label}: ${value}${delta ? `, ${delta.words}` : ''}. Open the list behind it`
      }
      style={{
        textAlign: 'left',
        width: '100%',
        display: 'flex',
        flexDirection: 'column',
        alignItems: 'stretch',
        justifyContent: 'flex-start',
        cursor: 'pointer',
        font: 'inherit',
        color: 'inherit',
      }}
    >
      {body}
    </Paper>
  );
}
