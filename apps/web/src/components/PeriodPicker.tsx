import { Group, SegmentedControl, Text } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useEffect, useState } from 'react';
import {
  formatPeriod,
  isoDay,
  presetPeriod,
  PRESET_LABELS,
  type Period,
  type PeriodPreset,
} from '@/lib/period';

const DAY = 86_400_000;

/**
 * A reporting period: preset buttons and, for "Custom", a date range (UTC days, last day
 * inclusive). Presentational: the caller keeps the period (in the URL).
 */
export function PeriodPicker({
  value,
  onChange,
  presets,
  now = new Date(),
  maxDays,
}: {
  value: Period;
  onChange(p: Period): void;
  presets: readonly PeriodPreset[];
  now?: Date;
  maxDays?: number;
}) {
  const from = isoDay(value.from);
  const last = isoDay(new Date(value.to.getTime() - DAY));
  // the range being picked (the first click gives only its start)
  const [draft, setDraft] = useState<[string | null, string | null]>([from, last]);
  useEffect(() => setDraft([from, last]), [from, last]);
  return (
    <Group gap="sm" align="center" wrap="wrap">
      <SegmentedControl
        aria-label="Period"
        value={value.preset}
        data={presets.map((p) => ({ value: p, label: PRESET_LABELS[p] }))}
        onChange={(v) => {
          const preset = v as PeriodPreset;
          if (preset === 'custom') onChange({ ...value, preset });
          else onChange(presetPeriod(preset, now));
        }}
      />
      {value.preset === 'custom' ? (
        <DatePickerInput
          type="range"
          aria-label="Custom period"
          value={draft}
          valueFormat="D MMM YYYY"
          allowSingleDateInRange
          maxDate={isoDay(now)}
          w={260}
          onChange={([a, b]) => {
            setDraft([a, b]);
            if (!a || !b) return;
            const from = new Date(`${a.slice(0, 10)}T00:00:00Z`);
            let to = new Date(new Date(`${b.slice(0, 10)}T00:00:00Z`).getTime() + DAY);
            if (maxDays && to.getTime() - from.getTime() > maxDays * DAY)
              to = new Date(from.getTime() + maxDays * DAY);
            onChange({ preset: 'custom', from, to });
          }}
        />
      ) : (
        <Text size="sm" c="dimmed">
          {formatPeriod(value)}
        </Text>
      )}
    </Group>
  );
}
