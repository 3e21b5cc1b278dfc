import { useQuery } from '@apollo/client/react';
import { useDebouncedValue } from '@mantine/hooks';
import { CustomerSearchDocument } from '@/gql/graphql';

/** Customers whose name, domain or contact e-mail matches (at least 2 characters). */
export function useCustomerSearch(text: string) {
  const [q] = useDebouncedValue(text.trim(), 250);
  const { data, loading } = useQuery(CustomerSearchDocument, {
    variables: { search: q },
    skip: q.length < 2,
  });
  return {
    customers: q.length < 2 ? [] : (data?.customers.edges.map((e) => e.node) ?? []),
    loading,
  };
}
