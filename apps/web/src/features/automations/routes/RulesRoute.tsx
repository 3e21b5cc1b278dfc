import { useQuery } from '@apollo/client/react';
import { Alert, Badge, Button, Drawer, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { AutomationRulesDocument, type AutomationRuleFieldsFragment } from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import {
  TRIGGERS,
  describeActions,
  describeConditions,
  draftOf,
  emptyDraft,
  type RuleDraft,
} from '../components/rule-form';
import { RuleBuilder } from './RuleBuilder';

/** Automation rules by trigger, in run order, with a builder and a "test against a ticket" preview. */
export function RulesRoute() {
  const { data, error } = useQuery(AutomationRulesDocument);
  const [draft, setDraft] = useState<RuleDraft | null>(null);
  useEffect(() => {
    document.title = 'Automation rules · Staydesk';
  }, []);
  const rules = data?.automationRules ?? [];
  return (
    <Stack p="md" gap="md" maw={1100}>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Automation rules
        </Title>
        <Button onClick={() => setDraft(emptyDraft())}>New rule</Button>
      </Group>
      <Text c="dimmed" size="sm">
        Rules run in order inside the change that triggers them; each run is in the ticket&apos;s
        history with the rule&apos;s name and version. Rules that keep undoing each other are
        stopped after 5 passes. Time-based rules are checked every minute and fire once per ticket
        per period.
      </Text>
      {error && (
        <Alert color="red" role="alert">
          {apiProblem(error)?.message}
        </Alert>
      )}
      {TRIGGERS.map((t) => {
        const list = rules.filter((r) => r.trigger === t.value);
        return (
          <Paper key={t.value} withBorder radius="md" p="md">
            <Title order={2} size="h4" mb="xs">
              {t.label}
            </Title>
            {list.length === 0 ? (
              <Text size="sm" c="dimmed">
                No rules.
              </Text>
            ) : (
              <Stack gap={6} component="ol" m={0} p={0} style={{ listStyle: 'none' }}>
                {list.map((r) => (
                  <RuleRow key={r.id} rule={r} onEdit={() => setDraft(draftOf(r))} />
                ))}
              </Stack>
            )}
          </Paper>
        );
      })}
      <Drawer
        opened={draft !== null}
        onClose={() => setDraft(null)}
        position="right"
        size="xl"
        closeButtonProps={{ 'aria-label': 'Close the rule builder' }}
        title={draft?.id ? `Edit rule (version ${draft.version})` : 'New rule'}
      >
        {draft && data && (
          <RuleBuilder
            initial={draft}
            teams={data.teams}
            users={data.users.edges.map((e) => e.node)}
            customFields={data.customFieldDefinitions.filter((f) => f.active)}
            onDone={() => setDraft(null)}
          />
        )}
      </Drawer>
    </Stack>
  );
}

function RuleRow({ rule, onEdit }: { rule: AutomationRuleFieldsFragment; onEdit(): void }) {
  return (
    <Group component="li" justify="space-between" wrap="nowrap" gap="sm">
      <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
        <Badge variant="light" color="gray" aria-label={`position ${rule.position}`}>
          {rule.position}
        </Badge>
        <div style={{ minWidth: 0 }}>
          <Text fw={600} size="sm">
            {rule.name}{' '}
            <Text span size="xs" c="dimmed">
              v{rule.version}
            </Text>
          </Text>
          <Text size="xs" c="dimmed" truncate>
            If {describeConditions(rule)} → {describeActions(rule)}
            {rule.stopProcessing ? ' · then stop' : ''}
          </Text>
        </div>
      </Group>
      <Group gap="xs" wrap="nowrap">
        {!rule.active && (
          <Badge color="gray" variant="outline">
            Off
          </Badge>
        )}
        <Button size="xs" variant="default" onClick={onEdit} aria-label={`Edit ${rule.name}`}>
          Edit
        </Button>
      </Group>
    </Group>
  );
}
