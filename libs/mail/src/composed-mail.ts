import { randomBytes } from 'node:crypto';
import { addressOf } from './mail-headers';
import { encodeWords, quoteString } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

/**
 * A plain mail of ours (a text and an HTML alternative, no attachments, one recipient) whose
 * MIME message is written here in one string instead of by nodemailer's composer. The survey
 * mails are the many of these: nodemailer builds each one as a tree of nodes, streams and
 * encoders (about a third of the worker's CPU per survey), while the message is always the same
 * shape and differs only in a few values.
 */
export interface ComposedMail {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** Extra header lines (ASCII values, e.g. List-Unsubscribe). */
  headers?: Record<string, string>;
  /** See OutgoingMail.onDataSent. */
  onDataSent?: () => void;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** A header value as nodemailer writes it: ASCII as is, anything else as encoded words. */
function headerText(value: string): string {
  return PRINTABLE.test(value) ? value : encodeWords(value, 'Q', 52, true);
}

/** `"Name" <address>` (or the encoded-word form of a non-ASCII name). */
export function mailbox(name: string, address: string): string {
  const clean = name.replace(/[\r\n]+/g, ' ').trim();
  if (!clean) return address;
  return `${PRINTABLE.test(clean) ? quoteString(clean) : encodeWords(clean, 'Q', 52, true)} <${address}>`;
}

/** Quoted-printable body with CRLF line breaks and soft breaks at 76 characters. */
function qp(body: string): string {
  return qpWrap(qpEncode(body.replace(/\r?\n/g, '\r\n')), 76);
}

/** Folds a long header line at spaces (RFC 5322 § 2.2.3), as nodemailer does at 76. */
function fold(line: string): string {
  if (line.length <= 76) return line;
  const out: string[] = [];
  let rest = line;
  while (rest.length > 76) {
    const at = rest.lastIndexOf(' ', 76);
    if (at <= 0) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  out.push(rest);
  return out.join('\r\n');
}

/**
 * The RFC 5322 message of a {@link ComposedMail}: headers, then multipart/alternative with the
 * text and the HTML part in quoted-printable. `from` is the formatted From header value.
 */
export function composeMessage(
  mail: ComposedMail,
  fromHeader: string,
  now = new Date(),
): { raw: Buffer; messageId: string } {
  const id = randomBytes(16).toString('hex');
  const domain = (addressOf(fromHeader) ?? 'localhost').split('@').pop() || 'localhost';
  const messageId = `<${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}@${domain}>`;
  const boundary = `--_sd_${id}`;
  const extra = Object.entries(mail.headers ?? {})
    .map(([k, v]) => `${fold(`${k}: ${headerText(v)}`)}\r\n`)
    .join('');
  const raw =
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"\r\n` +
    `From: ${fromHeader}\r\n` +
    `${fold(`To: ${mailbox(mail.to.name, mail.to.address)}`)}\r\n` +
    `${fold(`Subject: ${headerText(mail.subject)}`)}\r\n` +
    extra +
    `Message-ID: ${messageId}\r\n` +
    `Date: ${now.toUTCString().replace(/GMT/, '+0000')}\r\n` +
    `MIME-Version: 1.0\r\n` +
    `\r\n` +
    `--${boundary}\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\n` +
    `Content-Transfer-Encoding: quoted-printable\r\n` +
    `\r\n` +
    `${qp(mail.text)}\r\n` +
    `--${boundary}\r\n` +
    `Content-Type: text/html; charset=utf-8\r\n` +
    `Content-Transfer-Encoding: quoted-printable\r\n` +
    `\r\n` +
    `${qp(mail.html)}\r\n` +
    `--${boundary}--\r\n`;
  return { raw: Buffer.from(raw, 'utf8'), messageId };
}
