import { TIERS } from '@staydesk/customers';
import { CHANNELS, PRIORITIES, TICKET_STATUSES, TicketStatus } from '@staydesk/tickets';
import { ImportOptions, ResolvedHeader, activityEffect, enumValue } from './import-mapping';
import { TimeParser } from './time-format';

import {
  CustomerRecord,
  EventRecord,
  ImportedEvent,
  RowResult,
  TicketImport,
  UserDirectory,
  withHash,
} from './import-records';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TAG = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const MAX_TEXT = 500;

/**
 * Turns CSV records into typed rows for one import kind. Every problem becomes a reason with
 * the field name, so a rejected row says why.
 */
export class RowReader {
  constructor(
    private readonly options: ImportOptions,
    private readonly header: ResolvedHeader,
    private readonly parseTime: TimeParser,
    private readonly users: UserDirectory,
    private readonly columnCount: number,
  ) {
    this.nulls = new Set(options.nullValues);
  }

  private readonly nulls: Set<string>;

  /** A cell, trimmed; a missing-value marker (`nullValues`) reads as empty. */
  private value(fields: string[], i: number | undefined): string {
    if (i === undefined) return '';
    const v = (fields[i] ?? '').trim();
    return this.nulls.size && this.nulls.has(v.toLowerCase()) ? '' : v;
  }

  private cell(fields: string[], name: string): string {
    return this.value(fields, this.header.index[name]);
  }

  private extras(fields: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, i] of this.header.extras) {
      const v = this.value(fields, i);
      if (v) out[name] = v;
    }
    return out;
  }

  private shape(fields: string[]): string | null {
    if (fields.length !== this.columnCount) {
      return `has ${fields.length} columns, the header has ${this.columnCount}`;
    }
    return null;
  }

  private required(fields: string[], names: string[]): string | null {
    const missing = names.filter((n) => !this.cell(fields, n));
    return missing.length ? `missing required value: ${missing.join(', ')}` : null;
  }

  private time(fields: string[], name: string): number | null | string {
    const raw = this.cell(fields, name);
    if (!raw) return null;
    const t = this.parseTime(raw);
    return t === null
      ? `${name} "${raw.slice(0, 60)}" is not a timestamp in the format ${this.options.timeFormat ?? 'ISO 8601'}`
      : t;
  }

  private text(fields: string[], name: string): string | null | { reject: string } {
    const v = this.cell(fields, name);
    if (!v) return null;
    if (v.length > MAX_TEXT) return { reject: `${name} is longer than ${MAX_TEXT} characters` };
    return v;
  }

  private enumOf<T extends string>(
    fields: string[],
    name: string,
    allowed: readonly T[],
  ): T | null | { reject: string } {
    const raw = this.cell(fields, name);
    if (!raw) return null;
    const v = enumValue(this.options, name, raw, allowed);
    return v ?? { reject: `${name} "${raw.slice(0, 40)}" is not one of ${allowed.join(', ')}` };
  }

  private user(fields: string[], name: string): string | null {
    const v = this.cell(fields, name).toLowerCase();
    return v ? (this.users.get(v) ?? null) : null;
  }

  customer(fields: string[]): RowResult<CustomerRecord> {
    const bad = this.shape(fields) ?? this.required(fields, ['external_id', 'name']);
    if (bad) return { reject: bad };
    const tier = this.enumOf(fields, 'tier', TIERS);
    if (isReject(tier)) return tier;
    const status = this.enumOf(fields, 'status', ['active', 'churned'] as const);
    if (isReject(status)) return status;
    const domain = this.text(fields, 'domain');
    if (isReject(domain)) return domain;
    const name = this.text(fields, 'name');
    if (isReject(name)) return name;
    let mrr = 0;
    const mrrRaw = this.cell(fields, 'mrr').replace(/[\s_]/g, '');
    if (mrrRaw) {
      if (!/^\d+(\.\d{1,2})?$/.test(mrrRaw) || Number(mrrRaw) > 9_999_999_999)
        return { reject: `mrr "${mrrRaw.slice(0, 30)}" is not an amount ≥ 0 (like 1250.50)` };
      mrr = Number(mrrRaw);
    }
    const times: Record<string, number | null> = {};
    for (const t of ['customer_since', 'churned_at', 'renewal_date']) {
      const v = this.time(fields, t);
      if (typeof v === 'string') {
        // a plain date is fine for renewal_date whatever the time format
        if (t === 'renewal_date' && /^\d{4}-\d{2}-\d{2}$/.test(this.cell(fields, t))) {
          times[t] = Date.parse(`${this.cell(fields, t)}T00:00:00Z`);
          if (Number.isNaN(times[t])) return { reject: v };
          continue;
        }
        return { reject: v };
      }
      times[t] = v;
    }
    const st = status ?? 'active';
    if (st === 'churned' && times.churned_at === null)
      return { reject: 'status is churned but churned_at is empty' };
    if (st === 'active' && times.churned_at !== null)
      return { reject: 'churned_at is set but status is not churned' };
    if (
      times.churned_at !== null &&
      times.customer_since !== null &&
      times.churned_at < times.customer_since
    ) {
      return { reject: 'negative duration: churned_at is before customer_since' };
    }
    const customFields = this.extras(fields);
    const am = this.cell(fields, 'account_manager');
    const accountManagerId = this.user(fields, 'account_manager');
    if (am && !accountManagerId) customFields.account_manager = am;
    return {
      value: {
        externalId: this.cell(fields, 'external_id'),
        name: name as string,
        domain: domain,
        tier: tier ?? 'starter',
        mrr,
        mrrKnown: mrrRaw !== '',
        status: st,
        customerSince: times.customer_since === null ? null : new Date(times.customer_since),
        churnedAt: times.churned_at === null ? null : new Date(times.churned_at),
        renewalDate:
          times.renewal_date === null
            ? null
            : new Date(times.renewal_date).toISOString().slice(0, 10),
        accountManagerId,
        customFields,
      },
    };
  }

  ticket(fields: string[]): RowResult<TicketImport> {
    const bad =
      this.shape(fields) ??
      this.required(fields, ['external_id', 'customer', 'subject', 'created_at']);
    if (bad) return { reject: bad };
    const channel = this.enumOf(fields, 'channel', CHANNELS);
    if (isReject(channel)) return channel;
    const priority = this.enumOf(fields, 'priority', PRIORITIES);
    if (isReject(priority)) return priority;
    const status = this.enumOf(fields, 'status', TICKET_STATUSES);
    if (isReject(status)) return status;
    for (const n of ['subject', 'customer_name', 'requester_name']) {
      const v = this.text(fields, n);
      if (isReject(v)) return v;
    }
    const t: Record<string, number | null> = {};
    for (const n of ['created_at', 'first_response_at', 'solved_at', 'closed_at']) {
      const v = this.time(fields, n);
      if (typeof v === 'string') return { reject: v };
      t[n] = v;
    }
    const created = t.created_at as number;
    const fr = t.first_response_at;
    const solved = t.solved_at;
    let closed = t.closed_at;
    if (fr !== null && fr < created)
      return { reject: 'negative duration: first_response_at is before created_at' };
    if (solved !== null && solved < created)
      return { reject: 'negative duration: solved_at is before created_at' };
    if (fr !== null && solved !== null && fr > solved)
      return { reject: 'negative duration: first_response_at is after solved_at' };
    if (closed !== null && closed < (solved ?? created))
      return {
        reject: `negative duration: closed_at is before ${solved !== null ? 'solved_at' : 'created_at'}`,
      };
    const final: TicketStatus =
      status ??
      (closed !== null ? 'closed' : solved !== null ? 'solved' : fr !== null ? 'open' : 'new');
    if ((final === 'solved' || final === 'closed') && solved === null)
      return { reject: `status is ${final} but solved_at is empty` };
    if (final === 'closed' && closed === null) closed = solved;
    if (final !== 'closed' && closed !== null)
      return { reject: `closed_at is set but status is ${final}` };
    let reopenCount = 0;
    const reopenRaw = this.cell(fields, 'reopen_count');
    if (reopenRaw) {
      if (!/^\d{1,4}$/.test(reopenRaw))
        return { reject: `reopen_count "${reopenRaw.slice(0, 20)}" is not a whole number ≥ 0` };
      reopenCount = Number(reopenRaw);
    }
    let satisfaction: number | null = null;
    const satRaw = this.cell(fields, 'satisfaction');
    if (satRaw) {
      if (!/^[1-5]$/.test(satRaw))
        return { reject: `satisfaction "${satRaw.slice(0, 20)}" is not a rating from 1 to 5` };
      if (solved === null) return { reject: 'satisfaction is set but the ticket was never solved' };
      satisfaction = Number(satRaw);
    }
    const requesterEmail = this.cell(fields, 'requester_email').toLowerCase() || null;
    if (requesterEmail && !EMAIL.test(requesterEmail))
      return {
        reject: `requester_email "${requesterEmail.slice(0, 60)}" is not an e-mail address`,
      };
    const tags = [
      ...new Set(
        this.cell(fields, 'tags')
          .toLowerCase()
          .split(/[\s,;]+/)
          .filter(Boolean),
      ),
    ].sort();
    const badTag = tags.find((x) => !TAG.test(x));
    if (badTag) return { reject: `tag "${badTag.slice(0, 40)}" is not a tag (a-z, 0-9, - and _)` };
    if (tags.length > 20) return { reject: 'more than 20 tags' };
    const customFields = this.extras(fields);
    const assigneeRaw = this.cell(fields, 'assignee');
    const assigneeId = this.user(fields, 'assignee');
    if (assigneeRaw && !assigneeId) customFields.assignee = assigneeRaw;

    // the history the KPIs read, synthesised from the timestamps
    const events: ImportedEvent[] = [];
    // the assignee is the best guess for who replied and solved; nobody is known to have created it
    const ev = (type: ImportedEvent['type'], from: string | null, to: string | null, at: number) =>
      events.push({
        type,
        from,
        to,
        at: new Date(at),
        actorId: type === 'created' ? null : assigneeId,
      });
    ev('created', null, 'new', created);
    let cur: TicketStatus = 'new';
    if (fr !== null) {
      ev('first_response', null, null, fr);
      ev('status_changed', 'new', 'open', fr);
      cur = 'open';
    }
    if (solved !== null) {
      ev('status_changed', cur, 'solved', solved);
      cur = 'solved';
    }
    if (final === 'closed' && closed !== null) {
      ev('status_changed', cur, 'closed', closed);
      cur = 'closed';
    }
    const solveCount =
      solved === null
        ? 0
        : final === 'solved' || final === 'closed'
          ? reopenCount + 1
          : Math.max(1, reopenCount);
    return {
      value: withHash({
        externalId: this.cell(fields, 'external_id'),
        customer: this.cell(fields, 'customer'),
        customerName: this.cell(fields, 'customer_name') || null,
        requesterEmail,
        requesterName: this.cell(fields, 'requester_name') || null,
        subject: this.cell(fields, 'subject'),
        channel: channel ?? 'email',
        priority: priority ?? 'normal',
        status: final,
        createdAt: new Date(created),
        firstResponseAt: fr === null ? null : new Date(fr),
        solvedAt: solved === null ? null : new Date(solved),
        closedAt: closed === null ? null : new Date(closed),
        reopenCount,
        solveCount,
        assigneeId,
        tags,
        customFields,
        satisfaction,
        events,
        rows: 1,
      }),
    };
  }

  event(fields: string[], line: number): RowResult<EventRecord> {
    const bad =
      this.shape(fields) ?? this.required(fields, ['case_id', 'activity', 'timestamp', 'customer']);
    if (bad) return { reject: bad };
    const activity = this.cell(fields, 'activity');
    const effect = activityEffect(this.options, activity);
    if (!effect)
      return {
        reject: `unknown activity "${activity.slice(0, 60)}" (map it in the mapping file's activities, or map "*" to ignore)`,
      };
    const at = this.time(fields, 'timestamp');
    const opened = this.time(fields, 'opened_at');
    if (effect === 'ignore') {
      // an ignored activity still says the case existed then (its ticket's creation time);
      // nothing else of the row is used
      if (typeof at === 'string') return { skip: `activity "${activity}" is ignored` };
      return {
        value: {
          line,
          caseId: this.cell(fields, 'case_id'),
          effect,
          at: at as number,
          actor: null,
          customer: this.cell(fields, 'customer'),
          customerName: null,
          subject: null,
          channel: null,
          priority: null,
          requester: null,
          extra: null,
          openedAt: typeof opened === 'number' ? opened : null,
        },
      };
    }
    if (typeof at === 'string') return { reject: at };
    if (typeof opened === 'string') return { reject: opened };
    const channel = this.enumOf(fields, 'channel', CHANNELS);
    if (isReject(channel)) return channel;
    const priority = this.enumOf(fields, 'priority', PRIORITIES);
    if (isReject(priority)) return priority;
    const subject = this.text(fields, 'subject');
    if (isReject(subject)) return subject;
    const requester = this.cell(fields, 'requester_email').toLowerCase() || null;
    if (requester && !EMAIL.test(requester))
      return { reject: `requester_email "${requester.slice(0, 60)}" is not an e-mail address` };
    const extra = this.header.extras.length ? this.extras(fields) : null;
    return {
      value: {
        line,
        caseId: this.cell(fields, 'case_id'),
        effect,
        at: at as number,
        actor: this.cell(fields, 'actor') || null,
        customer: this.cell(fields, 'customer'),
        customerName: this.cell(fields, 'customer_name') || null,
        subject,
        channel,
        priority,
        requester,
        extra: extra && Object.keys(extra).length ? extra : null,
        openedAt: opened,
      },
    };
  }
}

function isReject(v: unknown): v is { reject: string } {
  return !!v && typeof v === 'object' && 'reject' in v;
}
