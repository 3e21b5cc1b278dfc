import Sentiment from 'sentiment';

const analyzer = new Sentiment();

/**
 * Lexicon sentiment of a customer message (AFINN via the `sentiment` package), as the
 * "comparative" score clamped to [-1, 1]: the mean word valence / 5. Below
 * {@link NEGATIVE_SENTIMENT} counts as a negative message for churn risk.
 */
export function sentimentOf(text: string): number {
  const { comparative } = analyzer.analyze(text.slice(0, 20_000));
  const normalized = comparative / 5;
  return Math.max(-1, Math.min(1, Math.round(normalized * 1000) / 1000));
}

export const NEGATIVE_SENTIMENT = -0.05;
