import type winkNLP from 'wink-nlp';
import type { WinkMethods } from 'wink-nlp';
import type model from 'wink-eng-lite-web-model';

/**
 * Characters of a message that are scored (the opening of a longer body). Support messages are
 * short (0.1–0.25 ms each); wink-nlp's cost grows with the text, ~5 µs a character on a busy
 * 2-core machine, so the cap keeps the worst message near 10 ms, within the createTicket budget.
 * Longer bodies are mostly quoted mail and signatures; the complaint comes first.
 */
export const SENTIMENT_MAX_CHARS = 2_000;

/**
 * The annotations the score needs: tokens (always), sentence boundaries (the document's score is
 * the mean of its sentences'), negation and the sentiment itself. wink-nlp's default pipe also
 * runs named entities and part-of-speech tagging, which read the tokens without changing them
 * and run beside (NER) or after (POS) the sentiment: the score is the same to the bit without
 * them (the spec compares both pipes on every labelled message and mail fixture), at about half
 * the CPU (~0.35 against ~0.75 ms for a 10 KB mail body, capped at 2,000 characters).
 */
const SENTIMENT_PIPE = ['sbd', 'negation', 'sentiment'];

let nlp: WinkMethods | null = null;

/**
 * Sentiment of a customer message: `wink-nlp`'s sentiment (its English lite model: a valence
 * lexicon with negation, emoji and emoticons) in [-1, 1], rounded to three decimals. Below
 * {@link NEGATIVE_SENTIMENT} counts as a negative message for churn risk (and in the simulated
 * world's churn, libs/simulation, which scores its messages with this function too).
 *
 * Chosen over the AFINN word list (`sentiment`) and a VADER port by measurement on 316 labelled
 * support messages (docs/risk-model.md, "Sentiment"; `npm run bench:sentiment`). wink-nlp and
 * its model are required and built on first use (~150 ms, ~16 MB of heap, 6 MB of it the model's
 * module alone), so processes that never score a message do not pay for them.
 */
export function sentimentOf(text: string): number {
  nlp ??= loadNlp();
  const score = nlp.readDoc(text.slice(0, SENTIMENT_MAX_CHARS)).out(nlp.its.sentiment) as number;
  if (!Number.isFinite(score)) return 0;
  return Math.max(-1, Math.min(1, Math.round(score * 1000) / 1000));
}

function loadNlp(): WinkMethods {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const wink = require('wink-nlp') as typeof winkNLP;
  const lite = require('wink-eng-lite-web-model') as typeof model;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return wink(lite, SENTIMENT_PIPE);
}

export const NEGATIVE_SENTIMENT = -0.05;
