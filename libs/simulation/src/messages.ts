import { sentimentOf } from '@staydesk/tickets';
import { MONTH_NAMES, OBJECTS, type Tone, type Topic } from './catalog';
import { Rng } from './rng';

export const RELATED_TOPICS: Record<Topic, readonly Topic[]> = {
  billing: ['onboarding'],
  login: ['bug', 'integration'],
  bug: ['integration', 'outage'],
  'feature-request': ['integration', 'onboarding'],
  outage: ['bug', 'integration'],
  onboarding: ['integration', 'billing'],
  integration: ['bug', 'feature-request'],
};
export const ANGRY_OPENERS = [
  'This is unacceptable and we are furious.',
  'We are frustrated and angry.',
  'This is a terrible, awful mess.',
  'Honestly, this is a disaster and we are angry.',
];
export const ANGRY_CLOSERS = [
  'Terrible experience, we are very disappointed.',
  'Worst support we have had, fix it now.',
  'We are losing money and patience.',
];
export const FOLLOW_UPS: Record<Tone, readonly string[]> = {
  angry: [
    'It is still broken. We are frustrated and losing time every day.',
    'Still broken after trying your steps. This is unacceptable.',
    'We have waited far too long for an answer. Terrible, useless service.',
    'Your suggestion did not help at all. Very disappointed.',
  ],
  neutral: [
    'Here is the screenshot you asked for.',
    'Attached the logs from this morning.',
    'We use Chrome on Windows, version {n}.',
    'Our account id is {account}.',
    'It happens for {n} users, mostly in the afternoon.',
  ],
  happy: [
    'Thanks for the quick reply! Here is the screenshot you asked for.',
    'Great, thank you. I attached the file.',
    'Thank you, that helps a lot. I tried it and will confirm tomorrow.',
  ],
};
export const REOPENS: Record<'angry' | 'neutral', readonly string[]> = {
  angry: [
    'It is still broken! You closed this without fixing it. Unacceptable and frustrating.',
    'The same failure is back and we are frustrated and angry. Escalate this.',
    'Nothing changed on our side, still broken. This is terrible.',
  ],
  neutral: [
    'It happened again this morning, could you take another look?',
    'One more question about this before we close it.',
  ],
};
export const REPLIES: Record<'ask' | 'hold' | 'solve', readonly string[]> = {
  ask: [
    'Hi {first}, thanks for reaching out. Could you send us a screenshot and the time it happened? That will help us narrow it down.',
    'Hi {first}, thanks for the details. Which browser and version are you using?',
    'Hi {first}, I am looking into this. Can you confirm the account id and the affected users?',
  ],
  hold: [
    'Hi {first}, I have escalated this to our engineering team and will update you as soon as I hear back.',
    'Hi {first}, this needs a change from our developers. I will keep you posted on the progress.',
  ],
  solve: [
    'Hi {first}, we found the cause and deployed a fix. It should work now; let us know if anything else comes up.',
    'Hi {first}, I have corrected this on our side. You should see the change right away.',
    'Hi {first}, thanks for your patience. This is resolved now.',
  ],
};
export const TOPIC_SOLVES: Partial<Record<Topic, string>> = {
  billing:
    'Hi {first}, I have corrected the invoice and issued the refund; it shows on your statement within 5 business days.',
  'feature-request':
    'Hi {first}, thanks for the suggestion! I passed it to our product team and added your vote.',
  onboarding:
    'Hi {first}, I sent you our setup guide and booked the session. Enjoy getting started!',
};
export const NOTES = [
  'Reproduced on staging.',
  'Linked to engineering issue ENG-{n}.',
  'Customer is on the {tier} plan, keep them updated.',
  'Checked the logs, the errors started at {hour}:{mm}.',
  'Asked the payments provider for the transaction trace.',
];

/** Fills `{name}` placeholders from `vars`, inventing plausible values for the generic ones. */
export function fill(template: string, rng: Rng, vars: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    if (vars[key] !== undefined) return vars[key];
    switch (key) {
      case 'inv':
        return `INV-${rng.int(10_000, 99_999)}`;
      case 'account':
        return `ACC-${rng.int(1_000, 9_999)}`;
      case 'n':
        return String(rng.int(2, 40));
      case 'object':
        return rng.pick(OBJECTS);
      case 'month':
        return rng.pick(MONTH_NAMES);
      case 'hour':
        return String(rng.int(6, 18));
      case 'mm':
        return String(rng.int(0, 59)).padStart(2, '0');
      default:
        return key;
    }
  });
}

/**
 * Scores of message bodies, keyed by the body with every digit replaced by 0: the simulated
 * texts differ mostly in invented numbers (invoice and account ids, counts, times), which carry no
 * sentiment, so the key keeps the cache small and the hit rate high; wink-nlp (`sentimentOf`)
 * costs ~0.25 ms a message, too much for millions of messages. `world.spec.ts` checks that the
 * cached score equals the body's own score.
 */
export const sentimentCache = new Map<string, number>();
export function cachedSentiment(body: string): number {
  const key = body.replace(/\d/g, '0');
  let score = sentimentCache.get(key);
  if (score === undefined) {
    score = sentimentOf(body);
    sentimentCache.set(key, score);
  }
  return score;
}
