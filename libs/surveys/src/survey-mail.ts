import type { SurveyContext } from './surveys.repository';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const CSAT_LABELS = ['Very unsatisfied', 'Unsatisfied', 'Neutral', 'Satisfied', 'Very satisfied'];

export interface SurveyMail {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/** The survey e-mail: one-click rating links (HTML and text) and an opt-out link. */
export function surveyMail(
  s: SurveyContext,
  baseUrl: string,
  token: string,
  reminder: boolean,
): SurveyMail {
  const link = (score: number) => `${baseUrl}/s/${token}?score=${score}`;
  const optOut = `${baseUrl}/s/${token}/opt-out`;
  const scores = s.kind === 'csat' ? [1, 2, 3, 4, 5] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const question =
    s.kind === 'csat'
      ? `How satisfied are you with the support you received${s.ticketSubject ? ` on "${s.ticketSubject}"` : ''}?`
      : `How likely are you to recommend ${s.customerName ? 'us' : 'our product'} to a friend or colleague?`;
  const label = (n: number) => (s.kind === 'csat' ? `${n} – ${CSAT_LABELS[n - 1]}` : String(n));
  const subject = `${reminder ? 'Reminder: ' : ''}${s.kind === 'csat' ? 'How did we do?' : 'A quick question'}`;
  const text = [
    `Hello ${s.contactName},`,
    '',
    question,
    '',
    ...scores.map((n) => `${label(n)}: ${link(n)}`),
    '',
    s.kind === 'nps' ? '(0 = not at all likely, 10 = extremely likely)' : '',
    `The links work until ${s.expiresAt.toISOString().slice(0, 10)}. You can change your answer until then.`,
    '',
    `No more surveys: ${optOut}`,
  ].join('\n');
  const buttons = scores
    .map(
      (n) =>
        `<a href="${esc(link(n))}" style="display:inline-block;margin:2px;padding:8px 12px;border:1px solid #888;border-radius:4px;color:#123;text-decoration:none">${esc(label(n))}</a>`,
    )
    .join(' ');
  const html = `<!doctype html><html lang="en"><body style="font-family:sans-serif">
<p>Hello ${esc(s.contactName)},</p>
<p>${esc(question)}</p>
<p>${buttons}</p>
${s.kind === 'nps' ? '<p style="color:#555">0 = not at all likely, 10 = extremely likely</p>' : ''}
<p style="color:#555">The links work until ${s.expiresAt.toISOString().slice(0, 10)}. You can change your answer until then.</p>
<p style="color:#555;font-size:small"><a href="${esc(optOut)}">Do not send me surveys</a></p>
</body></html>`;
  return {
    subject,
    text,
    html,
    headers: { 'List-Unsubscribe': `<${optOut}>`, 'X-Staydesk-Survey': s.id },
  };
}
