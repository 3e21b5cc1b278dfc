import { Tx, badInput, forbidden, notFound } from '@staydesk/core';
import { Actor, TICKET_WORKERS, validateId } from '@staydesk/identity';
import { newMessageId } from '@staydesk/mail';
import { sentimentOf } from './sentiment';
import { MessageKind, statusAfterMessage, validateBody } from './ticket-rules';
import { MessageRow, TicketRow } from './tickets.repository';
import {
  NewEvent,
  applyStatus,
  changesOf,
  newTicketSla,
  refreshSla,
  selfAssign,
} from './ticket-sla';
import { TicketsUpkeep } from './tickets.upkeep';

const CC_LIMIT = 20;

/** CCs of a public reply: plain addresses, at most 20, duplicates removed. */
function validateCc(cc: string[] | null | undefined, kind: MessageKind): string[] {
  if (!cc?.length) return [];
  if (kind !== 'public_reply') throw badInput('cc', 'only public replies are mailed');
  if (cc.length > CC_LIMIT) throw badInput('cc', `at most ${CC_LIMIT} addresses`);
  const out = new Set<string>();
  for (const raw of cc) {
    const a = raw.trim().toLowerCase();
    if (!/^[^@\s<>",;]+@[^@\s<>",;]+\.[^@\s<>",;]+$/.test(a) || a.length > 254) {
      throw badInput('cc', `"${raw.slice(0, 100)}" is not an e-mail address`);
    }
    out.add(a);
  }
  return [...out];
}

/** The conversation: messages from agents and from the e-mail channel, with their status and SLA effects. */
export abstract class TicketsConversation extends TicketsUpkeep {
  /**
   * Adds a message. A public reply is the first response if none was sent yet; a customer
   * message wakes a pending/on-hold ticket and reopens a solved one; closed tickets take notes only.
   */
  async addMessage(
    actor: Actor,
    id: string,
    kind: MessageKind,
    body: string,
    options: {
      contactId?: string | null;
      expectedVersion?: number | null;
      /** Public replies: more recipients of the mail (the requester always gets it). */
      cc?: string[] | null;
      /** Uploads (POST /attachments) of the actor to attach to this reply or note. */
      attachmentIds?: string[] | null;
    } = {},
  ): Promise<{ ticket: TicketRow; message: MessageRow }> {
    if (kind === 'internal_note') {
      if (![...TICKET_WORKERS, 'account_manager'].includes(actor.role))
        throw forbidden(`a ${actor.role} may not add notes`);
    } else {
      this.requireWorker(
        actor,
        kind === 'public_reply' ? 'reply to customers' : 'record customer messages',
      );
    }
    validateId(id);
    validateBody(body);
    if (options.contactId) validateId(options.contactId, 'contactId');
    const cc = validateCc(options.cc, kind);
    return this.tx.run((tx) => this.addMessageInTx(tx, actor, id, kind, body, { ...options, cc }));
  }

  /** `addMessage` inside the caller's transaction (the caller checked the role and the body). */
  async addMessageInTx(
    tx: Tx,
    actor: Actor,
    id: string,
    kind: MessageKind,
    body: string,
    options: {
      contactId?: string | null;
      expectedVersion?: number | null;
      /** Public replies: more recipients of the mail, already checked (validateCc). */
      cc?: string[];
      attachmentIds?: string[] | null;
    } = {},
  ): Promise<{ ticket: TicketRow; message: MessageRow }> {
    {
      const t = await this.lockForChange(tx, id, options.expectedVersion, actor);
      if (t.status === 'closed' && kind !== 'internal_note') {
        throw badInput('id', `ticket ${id} is closed: closed is final, open a new ticket instead`);
      }
      let authorContactId: string | null = null;
      if (kind === 'customer_message') {
        authorContactId = options.contactId ?? t.requesterId;
        if (options.contactId) {
          const [contact] = await this.customers.contactsByIds([options.contactId], tx);
          if (!contact) throw notFound('contact', options.contactId);
          if (contact.customerId !== t.customerId) {
            throw badInput(
              'contactId',
              `contact ${contact.id} does not belong to this ticket's customer`,
            );
          }
        }
      }
      const now = new Date();
      const message = await this.repo.insertMessage(tx, {
        ticketId: id,
        kind,
        authorUserId: kind === 'customer_message' ? null : actor.id,
        authorContactId,
        body,
        sentiment: kind === 'customer_message' ? sentimentOf(body) : null,
        createdAt: now,
      });
      if (options.attachmentIds?.length) {
        if (kind === 'customer_message')
          throw badInput('attachmentIds', 'only replies and notes take uploads');
        await this.attachments.linkToMessage(tx, actor, options.attachmentIds, message.id);
      }
      if (kind === 'public_reply') {
        // the e-mail goes out through the outbox event below; its envelope is fixed now
        await this.repo.queueReplyMail(
          tx,
          message.id,
          newMessageId(this.mailDomain()),
          options.cc ?? [],
        );
      }
      const patch: Partial<TicketRow> = { lastMessageAt: now };
      const events: NewEvent[] = [];
      if (kind === 'public_reply' && t.firstResponseAt === null) {
        patch.firstResponseAt = now;
        events.push({
          ticketId: id,
          actorId: actor.id,
          type: 'first_response',
          fromValue: null,
          toValue: null,
          createdAt: now,
        });
      }
      if (kind === 'public_reply') events.push(...selfAssign(t, patch, actor, now));
      if (t.status !== 'closed') {
        const to = statusAfterMessage(t.status, kind);
        if (to !== t.status) events.push(...applyStatus(t, to, patch, actor, now));
      }
      if (t.status !== 'closed')
        events.push(...(await this.nextReplyClock(tx, t, kind, patch, actor.id, now)));
      refreshSla(t, patch, now);
      const saved = await this.repo.update(tx, id, patch, now);
      await this.repo.insertEvents(tx, events);
      await this.outbox.record(tx, {
        type: 'ticket.message_added',
        payload: {
          ticketId: id,
          customerId: t.customerId,
          messageId: message.id,
          kind,
          changes: changesOf(events),
        },
      });
      await this.statusEvents(tx, t, saved);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: `ticket.${kind}`,
        entity: 'ticket',
        entityId: id,
        details: { messageId: message.id },
      });
      if (kind === 'customer_message')
        await this.hooks.run(tx, { trigger: 'customer_message', ticketId: id, actor });
      return { ticket: saved, message };
    }
  }

  /** E-mail channel: the ticket, locked for a change in the caller's transaction. */
  lockForMail(tx: Tx, id: string): Promise<TicketRow | null> {
    return this.repo.lockById(tx, id);
  }

  /** E-mail channel: tickets by their human number. */
  async byNumber(tx: Tx, number: number): Promise<TicketRow | null> {
    return (await this.repo.byNumber(tx, number)) ?? null;
  }

  /**
   * E-mail channel: a customer's mail opens a ticket (no signed-in actor). Runs in the caller's
   * transaction so the inbound mail row, the ticket and its first message commit together.
   */
  async openFromMail(
    tx: Tx,
    input: {
      requesterId: string;
      customerId: string;
      customerTier: string;
      subject: string;
      body: string;
      /** The closed ticket this mail answered (recorded as a `linked_from` history event). */
      linkedFrom?: string | null;
      at?: Date;
    },
  ): Promise<{ ticket: TicketRow; message: MessageRow }> {
    const now = input.at ?? new Date();
    const subject = input.subject.trim().slice(0, 250) || '(no subject)';
    const policy = await this.repo.policyFor(tx, 'normal', 'email', input.customerTier);
    const ticket = await this.repo.insert(tx, {
      customerId: input.customerId,
      requesterId: input.requesterId,
      subject,
      channel: 'email',
      priority: 'normal',
      status: 'new',
      assigneeId: null,
      teamId: null,
      tags: [],
      createdById: null,
      firstResponseAt: null,
      ...newTicketSla(policy, now, null),
      lastMessageAt: now,
      createdAt: now,
    });
    const events: NewEvent[] = [
      {
        ticketId: ticket.id,
        actorId: null,
        type: 'created',
        fromValue: null,
        toValue: 'new',
        createdAt: now,
      },
    ];
    if (input.linkedFrom) {
      events.push({
        ticketId: ticket.id,
        actorId: null,
        type: 'linked_from',
        fromValue: input.linkedFrom,
        toValue: null,
        createdAt: now,
      });
    }
    await this.repo.insertEvents(tx, events);
    const message = await this.repo.insertMessage(tx, {
      ticketId: ticket.id,
      kind: 'customer_message',
      authorUserId: null,
      authorContactId: input.requesterId,
      body: input.body,
      sentiment: sentimentOf(input.body),
      createdAt: now,
    });
    await this.outbox.record(tx, {
      type: 'ticket.created',
      payload: { ticketId: ticket.id, customerId: ticket.customerId },
    });
    await this.outbox.record(tx, {
      type: 'ticket.message_added',
      payload: {
        ticketId: ticket.id,
        customerId: ticket.customerId,
        messageId: message.id,
        kind: 'customer_message',
      },
    });
    await this.hooks.run(tx, { trigger: 'ticket_created', ticketId: ticket.id, actor: null });
    return { ticket, message };
  }

  /**
   * E-mail channel: a customer's mail on an existing (locked, not closed) ticket. The usual rules
   * apply: it wakes a pending/on-hold ticket and reopens a solved one (a reopen, with its KPIs).
   */
  async addFromMail(
    tx: Tx,
    t: TicketRow,
    contactId: string,
    body: string,
    at: Date = new Date(),
  ): Promise<{ ticket: TicketRow; message: MessageRow }> {
    const message = await this.repo.insertMessage(tx, {
      ticketId: t.id,
      kind: 'customer_message',
      authorUserId: null,
      authorContactId: contactId,
      body,
      sentiment: sentimentOf(body),
      createdAt: at,
    });
    const patch: Partial<TicketRow> = { lastMessageAt: at };
    const to = statusAfterMessage(t.status, 'customer_message');
    const events = to !== t.status ? applyStatus(t, to, patch, null, at) : [];
    events.push(...(await this.nextReplyClock(tx, t, 'customer_message', patch, null, at)));
    refreshSla(t, patch, at);
    const saved = await this.repo.update(tx, t.id, patch, at);
    await this.repo.insertEvents(tx, events);
    await this.outbox.record(tx, {
      type: 'ticket.message_added',
      payload: {
        ticketId: t.id,
        customerId: t.customerId,
        messageId: message.id,
        kind: 'customer_message',
      },
    });
    await this.statusEvents(tx, t, saved);
    await this.hooks.run(tx, { trigger: 'customer_message', ticketId: t.id, actor: null });
    return { ticket: saved, message };
  }
}
