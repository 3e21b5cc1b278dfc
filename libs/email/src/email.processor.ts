import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Handlers, JobNamesOf, checkPayload, payloadIds, runJob } from '@staydesk/core';
import { PermanentMailError } from '@staydesk/mail';
import { ImapService } from './imap.service';
import { FILING_BATCH, InboundService } from './inbound.service';
import { NotificationsService } from './notifications.service';
import { OutboundService } from './outbound.service';
import { PasswordResetMailer } from './password-reset.mailer';

/** `mail` queue: replies out, inbound mail filed, the sweep of unfiled mail, agent notifications, reset links. */
@Processor('mail')
export class EmailProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'mail'>> = {
    'mail.send-reply': (job) => {
      const d = job.data;
      checkPayload(job, payloadIds(d.messageId));
      return this.outbound.sendReplies(d.messageId);
    },
    'mail.process-inbound': (job) => {
      const d = job.data;
      const ids = d.inboundIds ?? [d.inboundId];
      checkPayload(
        job,
        payloadIds(d.inboundId) &&
          Array.isArray(ids) &&
          ids.length <= FILING_BATCH &&
          payloadIds(...ids),
      );
      return this.inbound.process(ids);
    },
    'mail.poll-imap': (job) => {
      const d = job.data;
      checkPayload(job, payloadIds(d.mailboxId));
      return this.imap.poll(d.mailboxId);
    },
    'mail.sweep': async () => ({
      requeued: await this.inbound.sweep(),
      // replies whose retry time came, or whose worker died mid-batch
      replies: await this.outbound.sendReplies(null),
      mailboxes: await this.imap.pollAll(),
      slaWarnings: await this.notifications.scanSlaWarnings(),
    }),
    'mail.notify': (job) => {
      const d = job.data;
      checkPayload(job, payloadIds(d.ticketId) && typeof d.key === 'string');
      return this.notifications.notify(d);
    },
    'mail.password-reset': (job) => {
      const d = job.data;
      checkPayload(job, payloadIds(d.resetId));
      return this.passwordResets.send(d.resetId);
    },
  };

  constructor(
    private readonly outbound: OutboundService,
    private readonly inbound: InboundService,
    private readonly notifications: NotificationsService,
    private readonly imap: ImapService,
    private readonly passwordResets: PasswordResetMailer,
    @InjectPinoLogger(EmailProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job, [PermanentMailError]);
  }
}
