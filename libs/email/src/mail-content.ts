import { sanitizeHtmlLibrary } from './mail-libs';

/** What an inbound message is, as far as loops and noise go. */
export type MailNoise = 'auto_reply' | 'bounce' | 'list' | null;

export interface HeaderView {
  get(name: string): string | undefined;
}

const OUT_OF_OFFICE =
  /^(auto(matic)?[\s:-]*(reply|response|antwort)|out of (the )?office|abwesenheit|absence|away from (the )?office|automatische antwort|r[ée]ponse automatique|vacation|urlaub)/i;

/**
 * Classifies a message for loop protection: DSNs and null senders are bounces; `Auto-Submitted`
 * other than `no`, the X-Autoreply family and out-of-office subjects are auto-replies; bulk,
 * junk and list precedence or a `List-Id` are list mail. None of them is ever answered
 * automatically, opens a ticket of its own, reopens a ticket or triggers a survey.
 */
export function classifyNoise(
  headers: HeaderView,
  envelopeFrom: string | null,
  contentType: string,
): MailNoise {
  const from = (headers.get('from') ?? '').toLowerCase();
  if (
    /multipart\/report/i.test(contentType) &&
    /report-type\s*=\s*"?delivery-status/i.test(contentType)
  ) {
    return 'bounce';
  }
  if (envelopeFrom === '' || /mailer-daemon@|postmaster@/.test(from)) return 'bounce';
  const autoSubmitted = (headers.get('auto-submitted') ?? '').trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto_reply';
  if (
    headers.get('x-autoreply') ||
    headers.get('x-autorespond') ||
    headers.get('x-autoresponse') ||
    (/^(all|oof|autoreply)/i.test(headers.get('x-auto-response-suppress') ?? '') &&
      OUT_OF_OFFICE.test(headers.get('subject') ?? ''))
  ) {
    return 'auto_reply';
  }
  if (OUT_OF_OFFICE.test((headers.get('subject') ?? '').trim())) return 'auto_reply';
  const precedence = (headers.get('precedence') ?? '').trim().toLowerCase();
  if (precedence === 'auto_reply') return 'auto_reply';
  if (['bulk', 'junk', 'list'].includes(precedence) || headers.get('list-id')) return 'list';
  return null;
}

const QUOTE_HEADERS: RegExp[] = [
  // Gmail / Apple Mail / Thunderbird: "On Tue, 3 Mar 2026 at 10:00, Ann <ann@x> wrote:" (may wrap)
  /^(on|am|le|el|op)\s(?:[^\n]|\n(?!\s*\n)){0,300}?(wrote|schrieb|a écrit|escribió|schreef)\s*:\s*$/im,
  // Outlook: "-----Original Message-----" / "________________________________\nFrom:"
  /^-{2,}\s*(original message|ursprüngliche nachricht|message d'origine)\s*-{2,}\s*$/im,
  /^_{10,}\s*\n\s*(from|von|de):\s/im,
  // Outlook without a separator: "From: …\nSent: …"
  /^(from|von):\s[^\n]+\n(sent|gesendet|date):\s/im,
];

const SIGNATURE =
  /^(-- |--|__|sent from my (iphone|ipad|android|mobile)|get outlook for (ios|android)|von meinem iphone gesendet)\s*$/im;

/**
 * The new part of a reply: the text above the quoted history (the "On … wrote:" line, an Outlook
 * "Original Message" block, trailing `>` lines) and above a signature separator. Stripped only
 * when something substantial is left; otherwise the full text is shown (the raw message is
 * always kept).
 */
export function newPartOf(text: string): { text: string; stripped: boolean } {
  const full = text.replace(/\r\n/g, '\n').trim();
  // a forwarded message is the point of the mail, not history
  if (/^(-{2,}\s*forwarded message\s*-{2,}|begin forwarded message:)/im.test(full)) {
    return { text: full, stripped: false };
  }
  let cut = full.length;
  for (const re of QUOTE_HEADERS) {
    const m = re.exec(full);
    if (m && m.index < cut) cut = m.index;
  }
  // a trailing block of "> " lines
  const lines = full.slice(0, cut).split('\n');
  let end = lines.length;
  while (end > 0 && (/^\s*>/.test(lines[end - 1]) || lines[end - 1].trim() === '')) end--;
  let kept = lines.slice(0, end).join('\n');
  const sig = SIGNATURE.exec(kept);
  if (sig && sig.index > 0) kept = kept.slice(0, sig.index);
  kept = kept.trim();
  if (kept.length < 1 || kept === full) return { text: full, stripped: false };
  return { text: kept, stripped: true };
}

/** HTML that is safe to show: no scripts, styles, event handlers, forms or remote frames; links open nothing by themselves. */
export function sanitizeHtml(html: string): string {
  const sanitizeHtmlLib = sanitizeHtmlLibrary();
  return sanitizeHtmlLib(html, {
    allowedTags: [
      'p',
      'br',
      'div',
      'span',
      'b',
      'strong',
      'i',
      'em',
      'u',
      's',
      'blockquote',
      'pre',
      'code',
      'ul',
      'ol',
      'li',
      'a',
      'h1',
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'table',
      'thead',
      'tbody',
      'tr',
      'td',
      'th',
      'hr',
      'img',
    ],
    allowedAttributes: { a: ['href', 'title'], img: ['alt', 'src'], td: ['colspan', 'rowspan'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['cid', 'data'] },
    transformTags: {
      a: sanitizeHtmlLib.simpleTransform('a', {
        rel: 'noopener noreferrer nofollow',
        target: '_blank',
      }),
    },
    disallowedTagsMode: 'discard',
  });
}

/** Plain text of (sanitized) HTML, for HTML-only mail. */
export function htmlToText(html: string): string {
  return sanitizeHtmlLibrary()(
    html
      .replace(/<(br|\/p|\/div|\/li|\/tr|\/h[1-6])\b[^>]*>/gi, '\n')
      .replace(/<blockquote\b[^>]*>/gi, '\n> '),
    { allowedTags: [], allowedAttributes: {} },
  )
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Public mail domains never identify a customer by domain. */
export const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'live.com',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'yahoo.de',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'gmx.de',
  'gmx.net',
  'gmx.com',
  'web.de',
  'mail.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'zoho.com',
  'yandex.com',
  'yandex.ru',
  'mail.ru',
  'qq.com',
  '163.com',
  '126.com',
  'fastmail.com',
  't-online.de',
  'orange.fr',
  'free.fr',
  'laposte.net',
  'libero.it',
  'naver.com',
  'yahoo.co.jp',
  'docomo.ne.jp',
  'ezweb.ne.jp',
]);
