import { useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import {
  CreateCustomFieldDefinitionDocument,
  CustomFieldDefinitionsDocument,
  UpdateCustomFieldDefinitionDocument,
  type CustomFieldEntity,
  type CustomFieldType,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { humanize } from '@/lib/format';

const TYPES: { value: CustomFieldType; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'date', label: 'Date' },
  { value: 'dropdown', label: 'Dropdown' },
  { value: 'checkbox', label: 'Checkbox' },
];

/** Admins define ticket and customer fields; switching one off keeps its values. */
export function CustomFieldsRoute() {
  const { data, error } = useQuery(CustomFieldDefinitionsDocument);
  const [create, createState] = useMutation(CreateCustomFieldDefinitionDocument, {
    refetchQueries: ['CustomFieldDefinitions'],
  });
  const [update] = useMutation(UpdateCustomFieldDefinitionDocument);
  const [entity, setEntity] = useState<CustomFieldEntity>('ticket');
  const [label, setLabel] = useState('');
  const [key, setKey] = useState('');
  const [keyTouched, setKeyTouched] = useState(false);
  const [type, setType] = useState<CustomFieldType>('text');
  const [options, setOptions] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    document.title = 'Custom fields · Staydesk';
  }, []);
  useEffect(() => {
    if (!keyTouched)
      setKey(
        label
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '_')
          .replace(/^_+|_+$/g, '')
          .replace(/^[^a-z]+/, '')
          .slice(0, 40),
      );
  }, [label, keyTouched]);

  const submit = async () => {
    setErrors({});
    try {
      await create({
        variables: {
          input: { entity, key, label, type, options: type === 'dropdown' ? options : null },
        },
      });
      notifications.show({ color: 'teal', message: `Field “${label}” created` });
      setLabel('');
      setKeyTouched(false);
      setOptions([]);
    } catch (err) {
      const p = apiProblem(err);
      setErrors({ [p?.field ?? 'form']: p?.message ?? 'Not saved.' });
    }
  };

  const fields = data?.customFieldDefinitions ?? [];
  return (
    <Stack p="md" gap="md" maw={960}>
      <Title order={1} size="h2">
        Custom fields
      </Title>
      <Text c="dimmed" size="sm">
        Fields agents fill in on tickets and account managers on customers. Values are checked
        against the field&apos;s type; queue filters, saved views and automation rules can use
        ticket fields.
      </Text>
      {error && (
        <Alert color="red" role="alert">
          {apiProblem(error)?.message}
        </Alert>
      )}
      <Paper withBorder p="md" radius="md">
        <Stack gap="sm">
          <Title order={2} size="h4">
            New field
          </Title>
          <Group align="flex-start" grow wrap="wrap">
            <Select
              label="On"
              data={[
                { value: 'ticket', label: 'Tickets' },
                { value: 'customer', label: 'Customers' },
              ]}
              value={entity}
              onChange={(v) => setEntity((v ?? 'ticket') as CustomFieldEntity)}
              allowDeselect={false}
            />
            <TextInput
              label="Label"
              value={label}
              onChange={(e) => setLabel(e.currentTarget.value)}
              error={errors.label}
              required
            />
            <TextInput
              label="Key"
              description="Used in filters and rules; fixed once created"
              value={key}
              onChange={(e) => {
                setKeyTouched(true);
                setKey(e.currentTarget.value);
              }}
              error={errors.key}
              required
            />
            <Select
              label="Type"
              data={TYPES}
              value={type}
              onChange={(v) => setType((v ?? 'text') as CustomFieldType)}
              allowDeselect={false}
            />
          </Group>
          {type === 'dropdown' && (
            <TagsInput
              label="Options"
              description="Press Enter after each option"
              value={options}
              onChange={setOptions}
              error={errors.options}
            />
          )}
          {errors.form && (
            <Alert color="red" role="alert">
              {errors.form}
            </Alert>
          )}
          <Group>
            <Button onClick={() => void submit()} loading={createState.loading}>
              Create field
            </Button>
          </Group>
        </Stack>
      </Paper>
      <Paper withBorder radius="md">
        <Table verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Field</Table.Th>
              <Table.Th>Key</Table.Th>
              <Table.Th>On</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Offered</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {fields.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td>
                  <Text size="sm" fw={600}>
                    {f.label}
                  </Text>
                  {f.options.length > 0 && (
                    <Text size="xs" c="dimmed">
                      {f.options.join(' · ')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {f.key}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color="gray">
                    {f.entity === 'ticket' ? 'Tickets' : 'Customers'}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{humanize(f.type)}</Text>
                </Table.Td>
                <Table.Td>
                  <Switch
                    aria-label={`Offer ${f.label}`}
                    checked={f.active}
                    onChange={(e) =>
                      void update({
                        variables: { id: f.id, input: { active: e.currentTarget.checked } },
                      })
                    }
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {data && fields.length === 0 && (
          <Text p="md" size="sm" c="dimmed">
            No custom fields yet.
          </Text>
        )}
      </Paper>
    </Stack>
  );
}
