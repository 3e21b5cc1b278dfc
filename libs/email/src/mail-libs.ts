/* eslint-disable @typescript-eslint/no-require-imports */
import type * as ImapFlowLib from 'imapflow';
import type * as MailparserLib from 'mailparser';
import type SanitizeHtml from 'sanitize-html';
import type * as SmtpServerLib from 'smtp-server';

/**
 * The mail libraries, required on first use rather than when the module graph is loaded. The api
 * serves the mail fields and settings but never reads a mailbox (but for an admin's connection
 * test), parses a raw message, sanitises inbound HTML or listens for SMTP; loaded at start-up they
 * held ~7.5 MB of its live heap (imapflow 3.5, mailparser 2.7, sanitize-html 1.1, smtp-server
 * 0.4 MB: source text and module objects) for nothing, and V8 sizes the heap from the live set
 * (docs/benchmarks.md, "API memory … issue 19"). The worker loads each when it first needs it.
 */
let imapflowLib: typeof ImapFlowLib | undefined;
let mailparserLib: typeof MailparserLib | undefined;
let sanitizeHtmlLib: typeof SanitizeHtml | undefined;
let smtpServerLib: typeof SmtpServerLib | undefined;

export const imapflow = (): typeof ImapFlowLib =>
  (imapflowLib ??= require('imapflow') as typeof ImapFlowLib);

export const mailparser = (): typeof MailparserLib =>
  (mailparserLib ??= require('mailparser') as typeof MailparserLib);

export const sanitizeHtmlLibrary = (): typeof SanitizeHtml =>
  (sanitizeHtmlLib ??= require('sanitize-html') as typeof SanitizeHtml);

export const smtpServer = (): typeof SmtpServerLib =>
  (smtpServerLib ??= require('smtp-server') as typeof SmtpServerLib);
