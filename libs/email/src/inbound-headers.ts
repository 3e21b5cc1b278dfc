import { createHash } from 'node:crypto';
import type { AddressObject } from 'mailparser';
import { normalizeMessageId } from '@staydesk/mail';

/** What a raw inbound mail says about itself before filing: headers, Message-ID, addresses. */

/** The header block of a raw message, unfolded, as lower-case name → first value. */
export function rawHeaders(raw: Buffer): Map<string, string> {
  const text = raw.subarray(0, 256 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/** Largest mail whose bytes are searched for an HTML part before it is parsed. */
const HTML_SCAN_MAX = 1024 * 1024;

/** What filing reads from a stored mail's bytes beside mailparser, worked out once per mail. */
export interface RawFacts {
  /** The header block (see {@link rawHeaders}). */
  headers: Map<string, string>;
  /** Whether it has a text/plain body (not only HTML, which mailparser turns into text itself). */
  plainPart: boolean;
  /**
   * False only when `text/html` appears nowhere in its bytes (and it is under 1 MB): mailparser
   * then has no HTML part to build, and the HTML copy of the text it makes besides
   * (`textAsHtml`, never read here) can be skipped.
   */
  mayHaveHtml: boolean;
}

export function rawFacts(raw: Buffer): RawFacts {
  const headers = rawHeaders(raw);
  const top = headers.get('content-type');
  let text: string | undefined;
  const all = () => (text ??= raw.toString('latin1'));
  return {
    headers,
    plainPart: !top || /^text\/plain/i.test(top) || /^content-type:\s*text\/plain/im.test(all()),
    mayHaveHtml: raw.length > HTML_SCAN_MAX || /text\/html/i.test(all()),
  };
}

/** The Message-ID a stored mail is known by: its own, or a digest of its bytes when it has none. */
export function storageMessageId(raw: Buffer): string {
  return (
    normalizeMessageId(rawHeaders(raw).get('message-id')) ??
    `sha256.${createHash('sha256').update(raw).digest('hex')}@staydesk.missing`
  );
}

export type InboundOutcome =
  | 'new_ticket'
  | 'threaded'
  | 'reopened'
  | 'linked_ticket'
  | 'duplicate'
  | 'bounce'
  | 'auto_reply'
  | 'list'
  | 'own_mail'
  | 'no_sender';

export const addresses = (
  a: AddressObject | AddressObject[] | undefined,
): { address: string; name: string }[] =>
  (Array.isArray(a) ? a : a ? [a] : [])
    .flatMap((o) =>
      o.value.flatMap((v) =>
        v.group
          ? v.group.map((g) => ({ address: (g.address ?? '').toLowerCase(), name: g.name ?? '' }))
          : [{ address: (v.address ?? '').toLowerCase(), name: v.name ?? '' }],
      ),
    )
    .filter((v) => v.address.includes('@'));
