import {
  ActionIcon,
  Button,
  Divider,
  Group,
  MultiSelect,
  NumberInput,
  Paper,
  Select,
  TagsInput,
  Text,
} from '@mantine/core';
import { humanize } from '@/lib/format';
import { CHOICES, FIELDS, OPERATOR_LABELS, type RuleDraft } from '../components/rule-form';

/** A rule's conditions in the builder: one row per condition (field, test, values), all must hold. */
export function ConditionsEditor({
  d,
  set,
  errors,
  fieldOptions,
  teamOptions,
  customFields,
}: {
  d: RuleDraft;
  set(patch: Partial<RuleDraft>): void;
  errors: Record<string, string>;
  fieldOptions: { value: string; label: string }[];
  teamOptions: { value: string; label: string }[];
  customFields: { key: string; label: string; type: string; options: string[] }[];
}) {
  return (
    <>
      <Divider label="If all of these hold" labelPosition="left" />
      {errors.conditions && (
        <Text c="red" size="sm" role="alert">
          {errors.conditions}
        </Text>
      )}
      {d.conditions.map((c, i) => {
        const spec = FIELDS.find((f) => f.value === c.field);
        const custom = customFields.find((f) => `custom.${f.key}` === c.field);
        const operators = spec?.operators ?? ['is', 'is_not'];
        const choices = CHOICES[c.field] ?? (custom?.type === 'dropdown' ? custom.options : null);
        const change = (patch: Partial<typeof c>) =>
          set({ conditions: d.conditions.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
        const err =
          errors[`conditions[${i}].field`] ??
          errors[`conditions[${i}].operator`] ??
          errors[`conditions[${i}].values`];
        const label = `Condition ${i + 1}`;
        return (
          <Paper key={i} withBorder p="sm" radius="sm">
            <Group align="flex-end" wrap="wrap" gap="xs">
              <Select
                label={`${label}: field`}
                data={fieldOptions}
                value={c.field}
                allowDeselect={false}
                w={210}
                onChange={(v) => {
                  const f = FIELDS.find((x) => x.value === v);
                  change({ field: v ?? 'channel', operator: f?.operators[0] ?? 'is', values: [] });
                }}
              />
              <Select
                label={`${label}: test`}
                data={operators.map((o) => ({ value: o, label: OPERATOR_LABELS[o] ?? o }))}
                value={c.operator}
                allowDeselect={false}
                w={160}
                onChange={(v) => change({ operator: v ?? operators[0] })}
              />
              {c.field === 'business_hours' ? null : c.field === 'team' ? (
                <MultiSelect
                  label={`${label}: teams`}
                  data={teamOptions}
                  value={c.values}
                  onChange={(values) => change({ values })}
                  style={{ flex: 1, minWidth: 180 }}
                />
              ) : spec?.time ? (
                <NumberInput
                  label={`${label}: amount`}
                  min={1}
                  value={Number(c.values[0] ?? '') || ''}
                  onChange={(v) => change({ values: v === '' ? [] : [String(v)] })}
                  w={140}
                />
              ) : choices ? (
                <MultiSelect
                  label={`${label}: values`}
                  data={choices.map((x) => ({ value: x, label: humanize(x) }))}
                  value={c.values}
                  onChange={(values) => change({ values })}
                  style={{ flex: 1, minWidth: 180 }}
                />
              ) : (
                <TagsInput
                  label={`${label}: values`}
                  description="Enter after each"
                  value={c.values}
                  onChange={(values) => change({ values })}
                  style={{ flex: 1, minWidth: 180 }}
                />
              )}
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Remove condition ${i + 1}`}
                onClick={() => set({ conditions: d.conditions.filter((_, j) => j !== i) })}
                mb={4}
              >
                ✕
              </ActionIcon>
            </Group>
            {err && (
              <Text c="red" size="sm" mt={4} role="alert">
                {err}
              </Text>
            )}
          </Paper>
        );
      })}
      <Group>
        <Button
          variant="light"
          size="xs"
          onClick={() =>
            set({
              conditions: [...d.conditions, { field: 'priority', operator: 'is', values: [] }],
            })
          }
        >
          Add condition
        </Button>
      </Group>
    </>
  );
}
