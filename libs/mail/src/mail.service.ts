import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Transform } from 'node:stream';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, AppConfig } from '@staydesk/core';
import { countSmtpSend } from '@staydesk/telemetry';
import { ComposedMail, composeMessage, mailbox } from './composed-mail';

/** One outgoing e-mail. `to` may be a single address or a list. */
export interface OutgoingMail {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
  /** Overrides MAIL_FROM (e.g. a team's sender name and address). */
  from?: string;
  cc?: string[];
  replyTo?: string;
  /** Our own Message-ID (without brackets), so it can be stored before sending. */
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  attachments?: { filename: string; content: Buffer; contentType?: string }[];
  /**
   * Called once the whole message, final dot included, has been written to the SMTP server's
   * socket (before the server's answer); not called for messages over 16 KB. Callers record it
   * so a worker killed while waiting for the 250 can be reconciled instead of mailing the message
   * twice (see docs/email.md).
   */
  onDataSent?: () => void;
}

export interface SentMail {
  /** The Message-ID header of the sent message, e.g. `<…@staydesk.local>`. */
  messageId: string;
  /** Where the message was written, when no SMTP server is configured. */
  file?: string;
}

/** Messages up to this size are in the kernel's send buffer once written (see onDataSent). */
const HANDED_OVER_MAX_BYTES = 16 * 1024;

/** Timeouts so a slow or silent SMTP server fails a send (and its job retries) instead of hanging. */
const SMTP_TIMEOUTS = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
};

/**
 * Sends e-mail. With SMTP_URL set, through a pooled SMTP transport; otherwise each message is
 * written as an `.eml` file under MAIL_DIR (development and tests without a mail server), and one
 * log line gives its path.
 */
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly transport: Transporter;
  private readonly dir: string | null;
  private dirReady: Promise<unknown> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(MailService.name) private readonly logger: PinoLogger,
  ) {
    if (config.mail.smtpUrl) {
      this.dir = null;
      this.transport = nodemailer.createTransport({
        url: config.mail.smtpUrl,
        pool: true,
        maxConnections: config.mail.smtpConnections,
        maxMessages: 1000,
        ...SMTP_TIMEOUTS,
      });
    } else {
      this.dir = resolve(config.mail.dir);
      this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
    }
    // onDataSent: the message's stream is wrapped in a last stage whose end means the SMTP
    // connection has read every byte; it then writes the terminating dot in the same turn of the
    // event loop, so the hook runs on the next one. Only for messages that fit in a socket's send
    // buffer (HANDED_OVER_MAX_BYTES): a larger one may still wait in the process when the stream
    // ends, and a kill then would lose it, so those are marked never (and resent after a kill).
    this.transport.use('stream', (mail, done) => {
      const hook = (mail.data as { onDataSent?: () => void }).onDataSent;
      if (hook) {
        const message = mail.message;
        const create = message.createReadStream.bind(message);
        message.createReadStream = ((options?: unknown) => {
          let bytes = 0;
          // a small message leaves in one chunk (one socket write instead of one per MIME part
          // and line batch: most of the worker's CPU per survey mail went to those writes)
          let held: Buffer[] | null = [];
          const last = new Transform({
            transform(chunk: Buffer, _enc, cb) {
              bytes += chunk.length;
              if (held && bytes <= HANDED_OVER_MAX_BYTES) {
                held.push(chunk);
                return cb();
              }
              if (held) {
                const first = Buffer.concat(held);
                held = null;
                this.push(first);
              }
              cb(null, chunk);
            },
            flush(cb) {
              if (held && held.length > 0) this.push(Buffer.concat(held));
              held = null;
              cb();
            },
          });
          last.once('end', () => {
            if (bytes <= HANDED_OVER_MAX_BYTES) setImmediate(hook);
          });
          // joined by hand, not with stream.pipeline: pipeline aborts an AbortController at
          // every finish, and the DOMException that makes cost more than this stage itself
          const source = create(options as never);
          source.once('error', (err: Error) => last.destroy(err));
          last.once('close', () => {
            if (!source.readableEnded) source.destroy();
          });
          return source.pipe(last);
        }) as typeof message.createReadStream;
      }
      done();
    });
  }

  /** Whether messages go to an SMTP server (true) or to `.eml` files (false). */
  get usesSmtp(): boolean {
    return this.dir === null;
  }

  /** Counted in `staydesk_smtp_sends_total{result}` and traced as an `smtp send` span. */
  send(mail: OutgoingMail): Promise<SentMail> {
    return countSmtpSend(() => this.sendNow(mail));
  }

  /**
   * A {@link ComposedMail}: the message is written by composeMessage in one piece and handed to
   * the same pooled transport (same envelope, journal hook, errors and file fallback).
   */
  sendComposed(mail: ComposedMail): Promise<SentMail> {
    return countSmtpSend(() => {
      const from = this.config.mail.from;
      if (this.from?.value !== from) {
        const [parsed] = addressparser(from, { flatten: true });
        this.from = {
          value: from,
          header: parsed ? mailbox(parsed.name, parsed.address) : from,
          address: parsed?.address ?? from,
        };
      }
      const { raw, messageId } = composeMessage(mail, this.from.header);
      return this.deliver(
        {
          envelope: { from: this.from.address, to: [mail.to.address] },
          raw,
          ...(mail.onDataSent ? { onDataSent: mail.onDataSent } : {}),
        } as SendMailOptions,
        mail.subject,
        messageId,
      );
    });
  }

  private from?: { value: string; header: string; address: string };

  private sendNow(mail: OutgoingMail): Promise<SentMail> {
    return this.deliver(
      {
        from: mail.from ?? this.config.mail.from,
        to: mail.to,
        cc: mail.cc?.length ? mail.cc : undefined,
        replyTo: mail.replyTo,
        messageId: mail.messageId ? `<${mail.messageId}>` : undefined,
        inReplyTo: mail.inReplyTo ? `<${mail.inReplyTo}>` : undefined,
        references: mail.references?.length ? mail.references.map((r) => `<${r}>`) : undefined,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: mail.headers,
        attachments: mail.attachments,
        ...(mail.onDataSent ? { onDataSent: mail.onDataSent } : {}),
      } as SendMailOptions,
      mail.subject,
    );
  }

  private async deliver(
    options: SendMailOptions,
    subject: string,
    ownMessageId?: string,
  ): Promise<SentMail> {
    const info = await this.transport.sendMail(options).catch((err: unknown) => {
      const code = (err as { responseCode?: number }).responseCode;
      // 5xx: the server refuses this message for good (bad address, policy); retrying won't help
      if (typeof code === 'number' && code >= 500 && code < 600) {
        throw new PermanentMailError(
          `SMTP refused the message (${code}): ${(err as Error).message}`,
        );
      }
      throw err;
    });
    // a raw message keeps the Message-ID written into it (nodemailer would report a new one)
    const messageId = ownMessageId ?? String(info.messageId ?? '');
    if (this.dir === null) return { messageId };

    this.dirReady ??= mkdir(this.dir, { recursive: true }).catch((err: unknown) => {
      this.dirReady = null; // try again on the next send
      throw err;
    });
    await this.dirReady;
    const stamp = new Date().toISOString().replace(/[-:]/g, ''); // ISO 8601 basic format
    const safeId = messageId
      .replace(/^<|>$/g, '')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(0, 120);
    const file = join(this.dir, `${stamp}-${safeId || 'message'}.eml`);
    await writeFile(file, info.message as Buffer, { flag: 'wx' });
    this.logger.info({ file, messageId, subject }, 'e-mail written to file (no SMTP_URL)');
    return { messageId, file };
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}

/** The SMTP server refused the message permanently (5xx); jobs should not retry it. */
export class PermanentMailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMailError';
  }
}
