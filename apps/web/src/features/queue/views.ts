import type { TicketFilter } from '@/gql/graphql';

/** The sidebar's views: each one a ticket filter for the signed-in agent. */
export type ViewKey = 'my-open' | 'unassigned' | 'team-open' | 'pending' | 'solved';

export interface View {
  key: ViewKey;
  label: string;
  filter(me: { teamIds: string[] }, now?: Date): TicketFilter;
}

const OPEN = ['new', 'open', 'on_hold'] as TicketFilter['status'];

/**
 * The agent's teams and the tickets of no team (a mail no rule has routed yet is everyone's
 * until someone takes it or moves it); everything for someone in no team.
 */
const inMyTeams = (me: { teamIds: string[] }): TicketFilter =>
  me.teamIds.length ? { teamIds: me.teamIds, noTeam: true } : {};

export const VIEWS: View[] = [
  { key: 'my-open', label: 'My open', filter: () => ({ mine: true, status: OPEN }) },
  {
    key: 'unassigned',
    label: 'Unassigned in my teams',
    filter: (me) => ({
      unassigned: true,
      status: ['new', 'open', 'on_hold', 'pending'],
      ...inMyTeams(me),
    }),
  },
  {
    key: 'team-open',
    label: "My teams' open",
    filter: (me) => ({ status: OPEN, ...inMyTeams(me) }),
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
