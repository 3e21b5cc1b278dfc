import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Tx, compileOnly, db, withParameters } from '@staydesk/core';

export interface NotifyTarget {
  ticketId: string;
  number: number;
  subject: string;
  status: string;
  assigneeId: string | null;
  userId: string;
  email: string;
  name: string;
  active: boolean;
  notifyAssigned: boolean;
  notifyCustomerReply: boolean;
  notifySlaWarning: boolean;
}

/** Read once per mail that may notify an agent: built and compiled once (decision 61). */
const TARGET = compileOnly
  .selectFrom('tickets as t')
  .innerJoin('users as u', (join) =>
    join.on((eb) =>
      eb('u.id', '=', eb.fn.coalesce(sql<string | null>`${null}::bigint`, 't.assigneeId')),
    ),
  )
  .select([
    't.id as ticketId',
    't.number',
    't.subject',
    't.status',
    't.assigneeId',
    'u.id as userId',
    'u.email',
    'u.name',
    'u.active',
    'u.notifyAssigned',
    'u.notifyCustomerReply',
    'u.notifySlaWarning',
  ])
  .where('t.id', '=', '0')
  .compile();

/**
 * SQL of the agents' notification mails (who gets one, sent once per key, the hourly cap, the
 * SLA warnings due): the typed builder over the caller's {@link Tx} (decision 46).
 */
@Injectable()
export class NotificationsRepository {
  /** The ticket and the user to notify (`userId`, else the assignee); null when there is none. */
  async target(tx: Tx, ticketId: string, userId: string | null): Promise<NotifyTarget | null> {
    // the parameters in statement order: the user (join), then the ticket (where)
    const { rows } = await db(tx).executeQuery(withParameters(TARGET, [userId, ticketId]));
    const row = rows[0];
    return row ?? null;
  }

  /** SLA targets due within the hour on assigned open tickets, soonest first (at most 1,000). */
  async slaWarningsDue(tx: Tx): Promise<{ id: string; due: string }[]> {
    return db(tx)
      .selectFrom('tickets')
      .select((eb) => [
        'tickets.id',
        sql<string>`extract(epoch FROM ${eb.ref('tickets.nextDueAt')})::bigint::text`.as('due'),
      ])
      .where('tickets.nextDueAt', '>', sql<Date>`now()`)
      .where('tickets.nextDueAt', '<=', sql<Date>`now() + interval '1 hour'`)
      .where('tickets.status', 'not in', ['solved', 'closed'])
      .where('tickets.assigneeId', 'is not', null)
      .orderBy('tickets.nextDueAt')
      .limit(1000)
      .execute();
  }

  /** Automatic mails to this address in the last hour. */
  async sentLastHour(tx: Tx, recipient: string): Promise<number> {
    const { n } = await db(tx)
      .selectFrom('mailNotifications')
      .select((eb) => eb.cast<number>(eb.fn.countAll(), 'integer').as('n'))
      .where((eb) =>
        eb(
          eb.fn('lower', ['mailNotifications.recipient']),
          '=',
          eb.fn('lower', [eb.val(recipient)]),
        ),
      )
      .where('mailNotifications.sentAt', '>', sql<Date>`now() - interval '1 hour'`)
      .executeTakeFirstOrThrow();
    return n;
  }

  /** Records the mail of `key` once; false when it was recorded before. */
  async record(tx: Tx, key: string, recipient: string): Promise<boolean> {
    const rows = await db(tx)
      .insertInto('mailNotifications')
      .values({ key, recipient })
      .onConflict((oc) => oc.doNothing())
      .returning('key')
      .execute();
    return rows.length > 0;
  }

  /** Forgets a key whose mail failed, so a retry may send it. */
  async forget(tx: Tx, key: string): Promise<void> {
    await db(tx).deleteFrom('mailNotifications').where('mailNotifications.key', '=', key).execute();
  }
}
