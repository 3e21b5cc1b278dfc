import type { Insertable } from 'kysely';
import { db } from '@staydesk/core';
import type { DB, Tx } from '@staydesk/core';

type Values<T extends keyof DB> = Partial<Insertable<DB[T]>>;

/**
 * The rows medium tests build on, inserted through the typed builder (so they follow the
 * schema), with what a test does not care about filled in; each returns the new row's id.
 */
export function fixtures(tx: Tx) {
  const k = db(tx);
  return {
    /** An agent named after the address, password hash `x`. */
    async user(values: Values<'users'> & { email: string }): Promise<string> {
      const row = { name: values.email, role: 'agent' as const, passwordHash: 'x', ...values };
      return (await k.insertInto('users').values(row).returning('id').executeTakeFirstOrThrow()).id;
    },
    async team(values: Values<'teams'> & { name: string }): Promise<string> {
      return (await k.insertInto('teams').values(values).returning('id').executeTakeFirstOrThrow())
        .id;
    },
    /** The user in the team (a membership). */
    async member(userId: string, teamId: string): Promise<void> {
      await k.insertInto('userTeams').values({ userId, teamId }).execute();
    },
    /** Acme, a pro customer paying 100 a month. */
    async customer(values: Values<'customers'> = {}): Promise<string> {
      const row = { name: 'Acme', tier: 'pro' as const, mrr: 100, ...values };
      return (await k.insertInto('customers').values(row).returning('id').executeTakeFirstOrThrow())
        .id;
    },
    /** Cy, cy@acme.test. */
    async contact(values: Values<'contacts'> & { customerId: string }): Promise<string> {
      const row = { name: 'Cy', email: 'cy@acme.test', ...values };
      return (await k.insertInto('contacts').values(row).returning('id').executeTakeFirstOrThrow())
        .id;
    },
    /** An open e-mail ticket "Help" of normal priority. */
    async ticket(
      values: Values<'tickets'> & { customerId: string; requesterId: string },
    ): Promise<string> {
      const row = {
        subject: 'Help',
        channel: 'email' as const,
        priority: 'normal' as const,
        status: 'open' as const,
        ...values,
      };
      return (await k.insertInto('tickets').values(row).returning('id').executeTakeFirstOrThrow())
        .id;
    },
    /**
     * A message of a ticket by `author`: the contact of a customer message, the user of a reply
     * or a note. Its body is its kind unless given.
     */
    async message(
      values: Omit<Values<'ticketMessages'>, 'authorContactId' | 'authorUserId'> & {
        ticketId: string;
        kind: 'public_reply' | 'internal_note' | 'customer_message';
        author: string;
      },
    ): Promise<string> {
      const { author, ...rest } = values;
      const byContact = values.kind === 'customer_message';
      const row = {
        body: values.kind,
        ...rest,
        authorContactId: byContact ? author : null,
        authorUserId: byContact ? null : author,
      };
      return (
        await k.insertInto('ticketMessages').values(row).returning('id').executeTakeFirstOrThrow()
      ).id;
    },
  };
}

export type Fixtures = ReturnType<typeof fixtures>;
