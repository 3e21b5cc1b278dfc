import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** The address of a header value such as `"Ann Lee" <ann@example.com>` (lower case), or null. */
export function addressOf(value: string | null | undefined): string | null {
  if (!value) return null;
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  const bare = angle?.[1] ?? /[^\s<>"',;:]+@[^\s<>"',;:]+/.exec(value)?.[0];
  return bare ? bare.trim().toLowerCase() : null;
}

/** The domain of an address (lower case), or '' when it has none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

/** `<abc@host>` → `abc@host` (Message-IDs are stored without the angle brackets). */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value
    .trim()
    .replace(/^<+|>+$/g, '')
    .trim();
  return v.length > 0 && v.length <= 998 && !/\s/.test(v) ? v : null;
}

/** Every Message-ID in a References / In-Reply-To header value, in order. */
export function messageIdList(value: string | string[] | null | undefined): string[] {
  if (!value) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const found = text.match(/<[^<>\s]+>/g);
  if (found) return found.map((id) => normalizeMessageId(id)!).filter(Boolean);
  const one = normalizeMessageId(text);
  return one ? [one] : [];
}

/** A new Message-ID (without brackets) on our own domain. */
export function newMessageId(domain: string): string {
  return `sd.${randomUUID()}@${domain}`;
}

function splitAddress(address: string): { local: string; tag: string | null; domain: string } {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at).toLowerCase();
  const plus = local.indexOf('+');
  return {
    local: plus < 0 ? local : local.slice(0, plus),
    tag: plus < 0 ? null : local.slice(plus + 1),
    domain: address.slice(at + 1).toLowerCase(),
  };
}

/** Whether `address` is one of the support addresses or a plus-addressed form of one. */
export function isSupportAddress(address: string, supportAddresses: readonly string[]): boolean {
  if (!address.includes('@')) return false;
  const a = splitAddress(address);
  return supportAddresses.some((s) => {
    const b = splitAddress(s);
    return a.local === b.local && a.domain === b.domain;
  });
}

const signature = (ticketId: string, secret: string) =>
  createHmac('sha256', secret).update(`reply-to:${ticketId}`).digest('hex').slice(0, 16);

/**
 * The per-ticket reply address `support+t<ticketId>.<signature>@domain`: a reply to it lands on
 * that ticket. The signature (HMAC) means nobody can aim mail at a ticket by guessing its id.
 */
export function replyAddress(supportAddress: string, ticketId: string, secret: string): string {
  const { local, domain } = splitAddress(supportAddress);
  return `${local}+t${ticketId}.${signature(ticketId, secret)}@${domain}`;
}

/** The ticket id of a correctly signed reply address (null for anything else). */
export function ticketOfReplyAddress(
  address: string,
  supportAddresses: readonly string[],
  secret: string,
): string | null {
  if (!isSupportAddress(address, supportAddresses)) return null;
  const m = /^t([1-9]\d{0,17})\.([0-9a-f]{16})$/.exec(splitAddress(address).tag ?? '');
  if (!m) return null;
  const expected = Buffer.from(signature(m[1], secret));
  const given = Buffer.from(m[2]);
  return expected.length === given.length && timingSafeEqual(expected, given) ? m[1] : null;
}

/** `Re: [#1042] Subject` (the tag once, even if the subject already carries it). */
export function ticketSubject(number: number, subject: string, reply: boolean): string {
  const tag = `[#${number}]`;
  const base = subject.includes(tag) ? subject : `${tag} ${subject}`;
  return reply && !/^re:/i.test(base) ? `Re: ${base}` : base;
}

/** The ticket number of a `[#1042]` tag in a subject, or null. */
export function ticketNumberOfSubject(subject: string | null | undefined): number | null {
  const m = /\[#(\d{1,9})\]/.exec(subject ?? '');
  return m ? Number(m[1]) : null;
}
