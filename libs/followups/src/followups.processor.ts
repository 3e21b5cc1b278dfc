import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, Handlers, JobNamesOf, JobPublisher, runJob } from '@staydesk/core';
import { MailService, OutgoingMail } from '@staydesk/mail';
import type { FollowUpKind, ReminderRow } from './followups.repository';
import { FollowUpsService } from './followups.service';

const KIND_LABELS: Record<FollowUpKind, string> = {
  check_in: 'check-in',
  bad_csat_recovery: 'bad CSAT recovery',
  at_risk_outreach: 'at-risk outreach',
  custom: 'custom follow-up',
};

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** One line, no control characters, bounded: safe in a subject. */
const oneLine = (s: string, max: number) => {
  const t = s.replace(/[\s\p{Cc}]+/gu, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** The reminder e-mail to a follow-up's owner. */
export function reminderMail(f: ReminderRow, publicUrl: string): OutgoingMail {
  const kind = KIND_LABELS[f.kind] ?? f.kind;
  const customer = oneLine(f.customerName, 120);
  const due = f.dueAt.toISOString();
  const link = `${publicUrl}/graphql`;
  const about = f.ticketId ? `ticket #${f.ticketId} of ${customer}` : customer;
  const text = [
    `Hello ${f.ownerName},`,
    '',
    `Your ${kind} for ${about} was due at ${due} (UTC).`,
    '',
    f.note ? `Note:\n${f.note}` : 'No note was left.',
    '',
    `Follow-up #${f.id}. Complete, reschedule or cancel it in Staydesk: ${link}`,
  ].join('\n');
  const html = [
    `<p>Hello ${escapeHtml(f.ownerName)},</p>`,
    `<p>Your <strong>${escapeHtml(kind)}</strong> for ${escapeHtml(about)} was due at <time datetime="${due}">${due}</time> (UTC).</p>`,
    f.note
      ? `<blockquote style="white-space: pre-wrap">${escapeHtml(f.note)}</blockquote>`
      : '<p>No note was left.</p>',
    `<p>Follow-up #${escapeHtml(f.id)}. Complete, reschedule or cancel it in <a href="${escapeHtml(link)}">Staydesk</a>.</p>`,
  ].join('\n');
  return {
    to: f.ownerEmail,
    subject: `Follow-up due: ${kind} for ${customer}`,
    text,
    html,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Staydesk-Follow-Up': f.id },
  };
}

/** Follow-ups reminded per scan; the next scan (a minute later) takes the rest. */
export const SCAN_LIMIT = 1000;

/**
 * Job id of a reminder: deterministic, so a follow-up found by two scans is queued once, and
 * carrying the due time, so one rescheduled after its reminder gets a new job (an id whose job
 * BullMQ still keeps would make the new publish a no-op). BullMQ refuses ids with one ":", hence
 * the dashes.
 */
export const reminderJobId = (f: { id: string; dueKey: string }) =>
  `followup-remind-${f.id}-${f.dueKey.replace(/\D/g, '')}`;

/** `followups` queue: find follow-ups that fell due and e-mail their owners once. */
@Processor('followups')
export class FollowUpsProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'followups'>> = {
    'followups.scan-due': async () => this.scanDue(),
    'followups.remind': async (job: Job) => this.remind(job.data.followUpId),
  };

  constructor(
    private readonly followUps: FollowUpsService,
    private readonly mail: MailService,
    private readonly publisher: JobPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(FollowUpsProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job);
  }

  async scanDue(): Promise<{ queued: number }> {
    const due = await this.followUps.dueForReminder(SCAN_LIMIT);
    if (due.length > 0) {
      await this.publisher.publishBulk(
        'followups.remind',
        due.map((f) => ({ data: { followUpId: f.id }, options: { jobId: reminderJobId(f) } })),
      );
    }
    return { queued: due.length };
  }

  async remind(followUpId: string): Promise<{ sent: boolean; reason?: string }> {
    const f = await this.followUps.forReminder(followUpId);
    if (!f) return this.skip(followUpId, 'not found');
    if (f.status !== 'open') return this.skip(followUpId, `it is ${f.status}`);
    if (f.remindedAt) return this.skip(followUpId, 'already reminded');
    if (!f.overdue) return this.skip(followUpId, 'not due (rescheduled)');
    if (!f.ownerActive) {
      // Nobody to tell; mark it so the scan stops finding it (a reschedule re-arms it).
      await this.followUps.markReminded(f.id, { skipped: 'owner deactivated' });
      return this.skip(followUpId, 'owner deactivated');
    }
    // E-mail first, then mark: at-least-once. If the process dies or the UPDATE fails after the
    // send, the job is retried and the owner may get a second e-mail; the other order could lose
    // the reminder altogether.
    const sent = await this.mail.send(reminderMail(f, this.config.http.publicUrl));
    this.logger.info(
      { followUpId: f.id, ownerId: f.ownerId, kind: f.kind, messageId: sent.messageId },
      'follow-up reminder sent',
    );
    await this.followUps.markReminded(f.id, { messageId: sent.messageId }, f.ownerId);
    return { sent: true };
  }

  private skip(followUpId: string, reason: string) {
    this.logger.debug({ followUpId, reason }, 'follow-up reminder skipped');
    return { sent: false, reason };
  }
}
