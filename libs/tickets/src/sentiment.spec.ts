import { NEGATIVE_SENTIMENT, sentimentOf } from './sentiment';

describe('sentimentOf', () => {
  it('scores angry messages negative and happy ones positive', () => {
    expect(sentimentOf('This is terrible, the app is broken again and I am angry')).toBeLessThan(
      NEGATIVE_SENTIMENT,
    );
    expect(sentimentOf('Thanks, that was great help, love it')).toBeGreaterThan(0);
    expect(sentimentOf('Invoice number 42 attached')).toBe(0);
  });
  it('stays within [-1, 1]', () => {
    expect(sentimentOf('bad '.repeat(1000))).toBeGreaterThanOrEqual(-1);
    expect(sentimentOf('')).toBe(0);
  });
});
