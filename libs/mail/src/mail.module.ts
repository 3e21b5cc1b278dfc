import { Module } from '@nestjs/common';
import { MailService } from './mail.service';

/** Outgoing e-mail ({@link MailService}). Import it where mail is sent (the worker). */
@Module({ providers: [MailService], exports: [MailService] })
export class MailModule {}
