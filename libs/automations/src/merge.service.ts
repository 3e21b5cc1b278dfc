import { Injectable } from '@nestjs/common';
import {
  AuditRepository,
  TransactionRunner,
  Tx,
  badInput,
  forbidden,
  notFound,
} from '@staydesk/core';
import { CustomersService } from '@staydesk/customers';
import { FollowUpsService } from '@staydesk/followups';
import {
  Actor,
  IdentityService,
  TICKET_WORKERS,
  mayReadNotes,
  validateId,
} from '@staydesk/identity';
import { TicketRow, TicketsService, normalizeTags } from '@staydesk/tickets';
import { MergeRepository } from './merge.repository';
import { RulesService } from './rules.service';

/**
 * Merge a duplicate into another ticket and split a message out into a new one. Both run in
 * one transaction through the tickets service, leave events on both sides and delete nothing:
 * moved messages remember where they came from (`moved_from_ticket_id`), the merged ticket
 * stays, closed, with `merged_into_id` and its own history. The writes are the tickets' and the
 * follow-ups' owners' (their services' `…InTx` methods); {@link MergeRepository} reads the
 * message a split moves. All of it runs in the transaction opened here.
 */
@Injectable()
export class MergeService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly identity: IdentityService,
    private readonly customers: CustomersService,
    private readonly tickets: TicketsService,
    private readonly followUps: FollowUpsService,
    private readonly rules: RulesService,
    private readonly repo: MergeRepository,
  ) {}

  async merge(
    actor: Actor,
    sourceId: string,
    targetId: string,
  ): Promise<{ source: TicketRow; target: TicketRow }> {
    this.requireWorker(actor);
    validateId(sourceId, 'sourceId');
    validateId(targetId, 'targetId');
    if (sourceId === targetId) throw badInput('targetId', 'a ticket cannot be merged into itself');
    return this.tx.run(async (tx) => {
      // lock in id order so two merges of the same pair cannot deadlock
      const [a, b] = [sourceId, targetId].sort((x, y) => Number(x) - Number(y));
      const first = await this.tickets.lockForChange(tx, a);
      const second = await this.tickets.lockForChange(tx, b);
      const source = first.id === sourceId ? first : second;
      const target = first.id === targetId ? first : second;
      await this.assertMayTouch(tx, actor, source);
      await this.assertMayTouch(tx, actor, target);
      if (source.status === 'closed')
        throw badInput('sourceId', `ticket ${source.number} is closed and cannot be merged`);
      if (target.status === 'closed')
        throw badInput('targetId', `ticket ${target.number} is closed: merge into an open ticket`);
      if (source.customerId !== target.customerId)
        throw badInput(
          'targetId',
          `tickets of different customers cannot be merged (#${source.number} and #${target.number})`,
        );
      const now = new Date();
      const moved = await this.tickets.moveAllMessagesInTx(tx, source.id, target.id);
      // open follow-ups about the duplicate now concern the ticket that stays
      await this.followUps.moveOpenToTicket(tx, source.id, target.id);
      await this.tickets.setMergedIntoInTx(tx, source.id, target.id);
      await this.tickets.refreshLastMessageAtInTx(tx, target.id);
      await this.tickets.refreshSearchInTx(tx, source.id);
      await this.tickets.refreshSearchInTx(tx, target.id);
      await this.tickets.recordEventsInTx(tx, [
        {
          ticketId: target.id,
          actorId: actor.id,
          type: 'merged_from',
          fromValue: source.id,
          toValue: `#${source.number} (${moved} messages)`,
          createdAt: now,
        },
        {
          ticketId: source.id,
          actorId: actor.id,
          type: 'merged_into',
          fromValue: target.id,
          toValue: `#${target.number}`,
          createdAt: now,
        },
      ]);
      const tags = normalizeTags([...target.tags, ...source.tags]);
      if (tags.join(',') !== target.tags.join(','))
        await this.tickets.updateInTx(tx, actor, target.id, { tags }, new Set());
      const closed = await this.tickets.closeMergedInTx(tx, actor, source.id);
      // the duplicate's requester learns where the conversation continues
      const [contact] = await this.customers.contactsByIds([source.requesterId], tx);
      if (contact?.email) {
        await this.rules.queueMail(tx, {
          ticketId: source.id,
          ruleId: null,
          kind: 'merge_notice',
          recipient: contact.email,
          subject: source.subject,
          body:
            `Hello ${contact.name || 'there'},\n\nYour request #${source.number} "${source.subject}" ` +
            `was merged into request #${target.number} "${target.subject}", which covers the same ` +
            `question. We will continue there: please reply to that request from now on.\n`,
        });
      }
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'ticket.merge',
        entity: 'ticket',
        entityId: target.id,
        details: { sourceId: source.id, messages: moved },
      });
      return { source: closed, target: await this.tickets.lockForChange(tx, target.id) };
    });
  }

  async split(
    actor: Actor,
    ticketId: string,
    messageId: string,
    subject: string | null | undefined,
  ): Promise<{ source: TicketRow; ticket: TicketRow }> {
    this.requireWorker(actor);
    validateId(ticketId, 'ticketId');
    validateId(messageId, 'messageId');
    return this.tx.run(async (tx) => {
      const source = await this.tickets.lockForChange(tx, ticketId);
      await this.assertMayTouch(tx, actor, source);
      if (source.status === 'closed')
        throw badInput('ticketId', `ticket ${source.number} is closed: closed is final`);
      const m = await this.repo.splitMessage(tx, ticketId, messageId);
      if (!m) throw notFound('message', messageId);
      if (m.kind !== 'customer_message')
        throw badInput('messageId', 'only a customer message can be split out into a new ticket');
      if (m.n < 2)
        throw badInput('messageId', 'the only message of a ticket cannot be split out of it');
      const title = (subject ?? '').trim() || `Split from #${source.number}: ${source.subject}`;
      const ticket = await this.tickets.insertSplitInTx(
        tx,
        actor,
        source,
        m.authorContactId ?? source.requesterId,
        title.slice(0, 250),
      );
      await this.tickets.moveMessageInTx(tx, messageId, ticket.id, source.id);
      await this.tickets.refreshSearchInTx(tx, source.id);
      await this.tickets.refreshSearchInTx(tx, ticket.id);
      const now = new Date();
      await this.tickets.recordEventsInTx(tx, [
        {
          ticketId: source.id,
          actorId: actor.id,
          type: 'split_into',
          fromValue: messageId,
          toValue: ticket.id,
          createdAt: now,
        },
        {
          ticketId: ticket.id,
          actorId: actor.id,
          type: 'split_from',
          fromValue: source.id,
          toValue: `#${source.number} message ${messageId}`,
          createdAt: now,
        },
      ]);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'ticket.split',
        entity: 'ticket',
        entityId: source.id,
        details: { messageId, newTicketId: ticket.id },
      });
      await this.tickets.runHooks(tx, ticket.id, 'ticket_created', actor);
      return {
        source: await this.tickets.lockForChange(tx, source.id),
        ticket: await this.tickets.lockForChange(tx, ticket.id),
      };
    });
  }

  /** A private team's ticket is changed only by its members, its lead and admins. */
  private async assertMayTouch(tx: Tx, actor: Actor, t: TicketRow) {
    if (!t.teamId) return;
    const [team] = await this.identity.teamsByIds([t.teamId], tx);
    if (!team || mayReadNotes(actor, team) || team.leadId === actor.id) return;
    throw forbidden(`ticket ${t.number} belongs to the private team "${team.name}"`);
  }

  private requireWorker(actor: Actor) {
    if (!TICKET_WORKERS.includes(actor.role))
      throw forbidden(`a ${actor.role} may not merge or split tickets`);
  }
}
