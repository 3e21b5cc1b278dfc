import { Module } from '@nestjs/common';
import { MailService } from './mail.service';
import { SendJournal } from './send-journal';

/** Outgoing e-mail ({@link MailService}). Import it where mail is sent (the worker). */
@Module({ providers: [MailService, SendJournal], exports: [MailService, SendJournal] })
export class MailModule {}
