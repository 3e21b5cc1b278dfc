export { MailModule } from './mail.module';
export { MailService, PermanentMailError } from './mail.service';
export type { OutgoingMail } from './mail.service';
export type { ComposedMail } from './composed-mail';
export {
  addressOf,
  domainOf,
  isSupportAddress,
  messageIdList,
  newMessageId,
  normalizeMessageId,
  replyAddress,
  ticketNumberOfSubject,
  ticketOfReplyAddress,
  ticketSubject,
} from './mail-headers';
export { SendJournal } from './send-journal';
