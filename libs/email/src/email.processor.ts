import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Handlers, JobNamesOf, runJob } from '@staydesk/core';
import { PermanentMailError } from '@staydesk/mail';
import { ImapService } from './imap.service';
import { FILING_BATCH, InboundService } from './inbound.service';
import { NotificationsService } from './notifications.service';
import { OutboundService } from './outbound.service';
import { PasswordResetMailer } from './password-reset.mailer';

const ID = /^[1-9]\d{0,17}$/;

function check(ok: boolean, job: Job): void {
  // Redis may hold jobs from an older deploy: a malformed payload will never succeed
  if (!ok)
    throw new UnrecoverableError(`malformed payload for ${job.name}: ${JSON.stringify(job.data)}`);
}

/** `mail` queue: replies out, inbound mail filed, the sweep of unfiled mail, agent notifications, reset links. */
@Processor('mail')
export class EmailProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'mail'>> = {
    'mail.send-reply': (job) => {
      const d = job.data;
      check(ID.test(String(d.messageId)), job);
      return this.outbound.sendReplies(d.messageId);
    },
    'mail.process-inbound': (job) => {
      const d = job.data;
      const ids = d.inboundIds ?? [d.inboundId];
      check(
        ID.test(String(d.inboundId)) &&
          Array.isArray(ids) &&
          ids.length <= FILING_BATCH &&
          ids.every((id) => ID.test(String(id))),
        job,
      );
      return this.inbound.process(ids);
    },
    'mail.poll-imap': (job) => {
      const d = job.data;
      check(ID.test(String(d.mailboxId)), job);
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
      check(ID.test(String(d.ticketId)) && typeof d.key === 'string', job);
      return this.notifications.notify(d);
    },
    'mail.password-reset': (job) => {
      const d = job.data;
      check(ID.test(String(d.resetId)), job);
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

  async process(job: Job): Promise<unknown> {
    try {
      return await runJob(this.logger, this.handlers, job);
    } catch (err) {
      if (err instanceof PermanentMailError) throw new UnrecoverableError(err.message);
      throw err;
    }
  }
}
