import { useApolloClient } from '@apollo/client/react';
import { notifications } from '@mantine/notifications';
import { Spotlight, spotlight } from '@mantine/spotlight';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useCustomerSearch } from '@/features/customers';
import { TicketByNumberDocument } from '@/gql/graphql';

/**
 * Ctrl+K (⌘K): type a ticket number to jump to it, or part of a customer's name, domain or
 * contact e-mail to open their most recent ticket list.
 */
export function CommandPalette() {
  const navigate = useNavigate();
  const [query, setQuery] = useState('');
  const q = query.trim().replace(/^#/, '');
  const { customers, loading } = useCustomerSearch(/^\d+$/.test(q) ? '' : q);
  const client = useApolloClient();
  const go = (to: string) => {
    spotlight.close();
    navigate(to);
  };
  // a number is the ticket's human number (shown as #1042), not its id
  const openNumber = async (n: string) => {
    const { data } = await client.query({
      query: TicketByNumberDocument,
      variables: { search: `#${n}` },
      fetchPolicy: 'network-only',
    });
    const hit = data?.tickets.edges.find((e) => String(e.node.number) === n);
    if (hit) go(`/tickets/${hit.node.id}`);
    else notifications.show({ color: 'red', message: `There is no ticket #${n}.` });
  };
  return (
    <Spotlight.Root query={query} onQueryChange={setQuery} shortcut={['mod + K']}>
      <Spotlight.Search placeholder="Ticket number or customer…" aria-label="Jump to" />
      <Spotlight.ActionsList>
        {/^\d+$/.test(q) && (
          <Spotlight.Action
            label={`Open ticket #${q}`}
            description="Go to the ticket with this number"
            onClick={() => void openNumber(q)}
          />
        )}
        {customers.map((c) => (
          <Spotlight.Action
            key={c.id}
            label={c.name}
            description={`Customer · ${c.tier} · new ticket for ${c.contacts[0]?.name ?? 'a contact'}`}
            onClick={() => go(`/tickets/new?customer=${c.id}`)}
          />
        ))}
        {q.length >= 2 && !/^\d+$/.test(q) && !loading && customers.length === 0 && (
          <Spotlight.Empty>No customer matches “{q}”.</Spotlight.Empty>
        )}
        {q.length < 2 && !/^\d+$/.test(q) && (
          <Spotlight.Empty>
            Type a ticket number or at least two letters of a customer.
          </Spotlight.Empty>
        )}
      </Spotlight.ActionsList>
    </Spotlight.Root>
  );
}

export const openPalette = () => spotlight.open();
