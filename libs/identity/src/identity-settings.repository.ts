import { Injectable } from '@nestjs/common';
import { Selectable, sql } from 'kysely';
import { DB, Tx, db } from '@staydesk/core';

/** Whether an agent takes automatically assigned tickets (`users.availability`). */
export type UserAvailability = Selectable<DB['users']>['availability'];

/** How new tickets of a team are assigned and at most how many open ones an agent gets. */
export interface TeamAssignment {
  teamId: string;
  mode: Selectable<DB['teams']>['assignmentMode'];
  cap: number;
}

/** The sender a team's replies are mailed as (null: the mailbox's default). */
export interface TeamMailSender {
  teamId: string;
  fromName: string | null;
  fromAddress: string | null;
  signature: string | null;
}

/** Which notification e-mails a user gets; an absent or null key leaves that setting alone. */
export interface MailNotificationChanges {
  assigned?: boolean | null;
  customerReply?: boolean | null;
  slaWarning?: boolean | null;
}

/**
 * The writes other libraries make to users and teams: settings whose rules (checks, audit) live
 * in e-mail and automations, and the stamp of ticket assignment's round robin. Identity owns the
 * tables (decision 60), so the statements are here; each runs on the caller's {@link Tx}, inside
 * its transaction.
 */
@Injectable()
export class IdentitySettingsRepository {
  /** Sets the team's mail sender; false when there is no such team. */
  async setTeamMailSender(tx: Tx, s: TeamMailSender): Promise<boolean> {
    const rows = await db(tx)
      .updateTable('teams')
      .set({
        mailFromName: s.fromName,
        mailFromAddress: s.fromAddress,
        mailSignature: s.signature,
        updatedAt: sql<Date>`now()`,
      })
      .where('teams.id', '=', s.teamId)
      .returning('teams.id')
      .execute();
    return rows.length > 0;
  }

  /** Changes the user's notification e-mails, each given key only (one statement). */
  async setMailNotifications(tx: Tx, userId: string, s: MailNotificationChanges): Promise<void> {
    await db(tx)
      .updateTable('users')
      .set((eb) => ({
        notifyAssigned: eb.fn.coalesce(eb.val(s.assigned ?? null), eb.ref('users.notifyAssigned')),
        notifyCustomerReply: eb.fn.coalesce(
          eb.val(s.customerReply ?? null),
          eb.ref('users.notifyCustomerReply'),
        ),
        notifySlaWarning: eb.fn.coalesce(
          eb.val(s.slaWarning ?? null),
          eb.ref('users.notifySlaWarning'),
        ),
        updatedAt: sql<Date>`now()`,
      }))
      .where('users.id', '=', userId)
      .execute();
  }

  /** Sets whether the agent takes automatically assigned tickets. */
  async setAvailability(tx: Tx, userId: string, availability: UserAvailability): Promise<void> {
    await db(tx)
      .updateTable('users')
      .set({ availability })
      .where('users.id', '=', userId)
      .execute();
  }

  /** Sets the team's automatic assignment; the saved settings, or null when there is no such team. */
  async setTeamAssignment(tx: Tx, a: TeamAssignment): Promise<TeamAssignment | null> {
    const row = await db(tx)
      .updateTable('teams')
      .set({ assignmentMode: a.mode, assignmentCap: a.cap })
      .where('teams.id', '=', a.teamId)
      .returning([
        'teams.id as teamId',
        'teams.assignmentMode as mode',
        'teams.assignmentCap as cap',
      ])
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * Moves the agent to the back of the round robin (`last_auto_assigned_at` = clock_timestamp()).
   * The UPDATE also locks the user's row until the caller's transaction ends, so concurrent
   * picks of the same agent run one after another.
   */
  async markAutoAssigned(tx: Tx, userId: string): Promise<void> {
    await db(tx)
      .updateTable('users')
      .set({ lastAutoAssignedAt: sql<Date>`clock_timestamp()` })
      .where('users.id', '=', userId)
      .execute();
  }
}
