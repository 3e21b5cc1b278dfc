export { EmailApiModule, EmailWorkerModule } from './email.module';
export { EmailRepository } from './email.repository';
export { ImapIdleService } from './imap-idle.service';
export { ImapService } from './imap.service';
export { InboundSmtpReceiver } from './inbound-smtp.receiver';
export { storageMessageId } from './inbound-headers';
export { InboundService } from './inbound.service';
