/**
 * `npm run bench:sentiment`: how well each candidate analyzer reads "negative" in short support
 * messages, on the labelled set test/fixtures/sentiment/support-messages.json, and what it costs
 * per message. Prints precision, recall and F1 of "negative" and µs per message (docs/risk-model.md,
 * "Sentiment").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Sentiment from 'sentiment';
import { NEGATIVE_SENTIMENT, sentimentOf } from '@staydesk/tickets';

interface Labelled {
  text: string;
  label: 'negative' | 'not_negative';
  kind: string;
}

const FIXTURE = join(
  __dirname,
  '..',
  '..',
  'test',
  'fixtures',
  'sentiment',
  'support-messages.json',
);

/** Each candidate: a score in [−1, 1] (negative below its threshold). */
function candidates(): { name: string; negative: (text: string) => boolean }[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vader = require('vader-sentiment') as {
    SentimentIntensityAnalyzer: { polarity_scores(t: string): { compound: number } };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const winkNLP = require('wink-nlp') as (model: unknown) => {
    readDoc(t: string): { out(what: unknown): number };
    its: { sentiment: unknown };
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nlp = winkNLP(require('wink-eng-lite-web-model'));
  const afinn = new Sentiment();
  return [
    {
      name: 'AFINN comparative ÷ 5 < −0.05 (sentimentOf before)',
      negative: (t) => afinn.analyze(t).comparative / 5 < NEGATIVE_SENTIMENT,
    },
    { name: 'AFINN comparative < 0', negative: (t) => afinn.analyze(t).comparative < 0 },
    {
      name: 'vader-sentiment compound ≤ −0.05',
      negative: (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t).compound <= -0.05,
    },
    {
      name: 'wink-nlp sentiment < −0.05',
      negative: (t) => nlp.readDoc(t).out(nlp.its.sentiment) < -0.05,
    },
    { name: 'sentimentOf (wink-nlp, now)', negative: (t) => sentimentOf(t) < NEGATIVE_SENTIMENT },
  ];
}

function main(): void {
  const set = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Labelled[];
  const positives = set.filter((m) => m.label === 'negative').length;
  console.log(
    `${set.length} labelled support messages, ${positives} negative (test/fixtures/sentiment)`,
  );
  const rows: string[][] = [];
  for (const c of candidates()) {
    for (const m of set.slice(0, 20)) c.negative(m.text); // warm-up
    const started = process.hrtime.bigint();
    const rounds = 20;
    let said: boolean[] = [];
    for (let r = 0; r < rounds; r++) said = set.map((m) => c.negative(m.text));
    const micros = Number(process.hrtime.bigint() - started) / 1000 / (rounds * set.length);
    let tp = 0;
    let fp = 0;
    set.forEach((m, i) => {
      if (said[i] && m.label === 'negative') tp++;
      if (said[i] && m.label !== 'negative') fp++;
    });
    const precision = tp / Math.max(1, tp + fp);
    const recall = tp / positives;
    const f1 = (2 * precision * recall) / Math.max(1e-9, precision + recall);
    const missedByKind = new Map<string, number>();
    set.forEach((m, i) => {
      if (m.label === 'negative' && !said[i])
        missedByKind.set(m.kind, (missedByKind.get(m.kind) ?? 0) + 1);
    });
    rows.push([
      c.name,
      precision.toFixed(3),
      recall.toFixed(3),
      f1.toFixed(3),
      micros.toFixed(1),
      [...missedByKind].map(([k, n]) => `${k} ${n}`).join(', '),
    ]);
  }
  const header = ['analyzer', 'precision', 'recall', 'F1', 'µs/msg', 'negatives missed, by kind'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows]) {
    console.log(
      r
        .map((cell, i) => (i === 0 || i === 5 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join('  '),
    );
  }
}

main();
