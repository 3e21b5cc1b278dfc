import type { PageState } from './surveys.service';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const CSAT = ['Very unsatisfied', 'Unsatisfied', 'Neutral', 'Satisfied', 'Very satisfied'];
const CES = [
  'Very difficult',
  'Difficult',
  'Somewhat difficult',
  'Neither',
  'Somewhat easy',
  'Easy',
  'Very easy',
];

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
fieldset{border:1px solid #bbb;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
legend{font-weight:600}
label{display:inline-block;margin:.25rem .5rem .25rem 0;cursor:pointer}
input[type=radio]{margin-right:.25rem}
textarea{width:100%;min-height:6rem;font:inherit}
button{font:inherit;padding:.5rem 1.25rem;border-radius:6px;border:1px solid #234;background:#234;color:#fff;cursor:pointer}
.note{padding:.5rem 1rem;border-radius:6px;background:#e8f4ea}
.error{padding:.5rem 1rem;border-radius:6px;background:#fbeaea}
:focus-visible{outline:3px solid #1f6feb;outline-offset:2px}
</style></head><body><main>${body}</main></body></html>`;
}

export interface Page {
  status: number;
  html: string;
}

function radios(
  name: string,
  values: number[],
  labels: (n: number) => string,
  checked: number | null,
  required: boolean,
) {
  return values
    .map(
      (n) =>
        `<label><input type="radio" name="${name}" value="${n}"${checked === n ? ' checked' : ''}${required ? ' required' : ''}>${esc(labels(n))}</label>`,
    )
    .join('\n');
}

/** Renders the survey page for a state; the HTTP status tells unknown (404) and expired (410) apart. */
export function renderSurveyPage(token: string, p: PageState): Page {
  if (p.state === 'unknown') {
    return {
      status: 404,
      html: layout(
        'Survey not found',
        `<h1>Survey not found</h1><p>This link is not valid. Please use the link from your e-mail exactly as it was sent.</p>`,
      ),
    };
  }
  if (p.state === 'expired') {
    return {
      status: 410,
      html: layout(
        'Survey closed',
        `<h1>This survey has closed</h1><p>The link expired on ${p.survey.expiresAt.toISOString().slice(0, 10)}, so answers are no longer recorded. Thank you all the same.</p>`,
      ),
    };
  }
  const s = p.survey;
  if (p.state === 'invalid' && !p.nonce) {
    return {
      status: 400,
      html: layout(
        'Invalid answer',
        `<h1>We could not record that</h1><p class="error" role="alert">${esc(p.message)}.</p><p><a href="/s/${esc(token)}">Open the survey</a> to choose your answer.</p>`,
      ),
    };
  }
  const csat = s.kind === 'csat';
  const question = csat
    ? `How satisfied are you with the support you received${s.ticketSubject ? ` on “${s.ticketSubject}”` : ''}?`
    : 'How likely are you to recommend us to a friend or colleague?';
  const scores = csat ? [1, 2, 3, 4, 5] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const label = (n: number) => (csat ? `${n} – ${CSAT[n - 1]}` : String(n));
  const notice =
    p.state === 'invalid'
      ? `<p class="error" role="alert">${esc(p.message)}.</p>`
      : p.saved
        ? `<p class="note" role="status">Thank you, your answer is saved. You can add a comment or change it until ${s.expiresAt.toISOString().slice(0, 10)}.</p>`
        : p.chosen !== undefined
          ? `<p class="note" role="status">You chose ${p.chosen}. Press <strong>Send</strong> to record it (you can add a comment first).</p>`
          : '';
  const checked = p.state === 'ok' && p.chosen !== undefined ? p.chosen : s.score;
  const ces = csat
    ? `<fieldset><legend>The company made it easy to handle my issue (optional)</legend>
${radios('ces', [1, 2, 3, 4, 5, 6, 7], (n) => `${n} – ${CES[n - 1]}`, s.cesScore, false)}
</fieldset>`
    : '';
  const body = `<h1>${csat ? 'How did we do?' : 'A quick question'}</h1>
${notice}
<form method="post" action="/s/${esc(token)}">
<input type="hidden" name="nonce" value="${esc(p.nonce)}">
<fieldset><legend>${esc(question)}</legend>
${radios('score', scores, label, checked, true)}
${csat ? '' : '<p>0 = not at all likely, 10 = extremely likely</p>'}
</fieldset>
${ces}
<p><label for="comment">Anything you would like to tell us? (optional)</label>
<textarea id="comment" name="comment" maxlength="2000">${esc(s.comment ?? '')}</textarea></p>
<p><button type="submit">Send</button></p>
</form>
<p><small><a href="/s/${esc(token)}/opt-out">Do not send me surveys</a></small></p>`;
  return { status: p.state === 'invalid' ? 400 : 200, html: layout('Your feedback', body) };
}

export function renderOptOutPage(token: string, p: PageState, done: boolean): Page {
  if (p.state === 'unknown') return renderSurveyPage(token, p);
  const body = done
    ? `<h1>You will not get more surveys</h1><p class="note" role="status">We have noted that ${esc(p.state === 'ok' ? p.survey.contactEmail : '')} should not receive surveys.</p>`
    : `<h1>Stop surveys?</h1><form method="post" action="/s/${esc(token)}/opt-out"><p>We will stop sending satisfaction surveys to this address.</p><p><button type="submit">Stop surveys</button></p></form>`;
  return { status: 200, html: layout('Surveys', body) };
}
