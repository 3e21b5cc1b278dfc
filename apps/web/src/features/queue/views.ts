import type { TicketFilter } from '@/gql/graphql';

/** The sidebar's views: each one a ticket filter for the signed-in agent. */
export type ViewKey = 'my-open' | 'unassigned' | 'team-open' | 'pending' | 'solved';

export interface View {
  key: ViewKey;
  label: string;
  filter(me: { teamIds: string[] }, now?: Date): TicketFilter;
}

const OPEN = ['new', 'open', 'on_hold'] as TicketFilter['status'];

export const VIEWS: View[] = [
  { key: 'my-open', label: 'My open', filter: () => ({ mine: true, status: OPEN }) },
  {
    key: 'unassigned',
    label: 'Unassigned in my teams',
    filter: (me) => ({
      unassigned: true,
      status: ['new', 'open', 'on_hold', 'pending'],
      ...(me.teamIds.length ? { teamIds: me.teamIds } : {}),
    }),
  },
  {
    key: 'team-open',
    label: "My teams' open",
    filter: (me) => ({ status: OPEN, ...(me.teamIds.length ? { teamIds: me.teamIds } : {}) }),
  },
  { key: 'pending', label: 'Pending', filter: () => ({ mine: true, status: ['pending'] }) },
  {
    key: 'solved',
    label: 'Recently solved',
    filter: (_me, now = new Date()) => ({
      mine: true,
      status: ['solved', 'closed'],
      updatedFrom:
        new Date(now.getTime() - 7 * 24 * 3600 * 1000).toISOString().slice(0, 13) + ':00:00.000Z',
    }),
  },
];

export const viewByKey = (key: string | undefined) => VIEWS.find((v) => v.key === key);
