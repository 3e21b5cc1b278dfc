import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { rawFacts } from './inbound-headers';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'mail');
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => ({ name: f, raw: readFileSync(join(FIXTURES, f)) }));

/** A multipart/mixed mail with a text part and an HTML part (mailparser turns the text into HTML). */
const mixed = Buffer.from(
  [
    'From: Ann <ann@acme.example>',
    'To: support@staydesk.test',
    'Subject: Mixed',
    'Message-ID: <mixed@acme.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'First the text, with <brackets> & an address https://acme.example/x',
    '--b',
    'Content-Type: TEXT/HTML; charset=utf-8',
    '',
    '<p>Then the <b>HTML</b></p>',
    '--b--',
    '',
  ].join('\r\n'),
);

describe('rawFacts (what filing reads from the bytes besides mailparser)', () => {
  it('tells plain-text bodies from HTML-only ones', () => {
    const facts = (name: string) => rawFacts(fixtures.find((f) => f.name === name)!.raw);
    expect(facts('01-plain-new.eml').plainPart).toBe(true);
    expect(facts('05-html-only.eml').plainPart).toBe(false);
    expect(facts('01-plain-new.eml').headers.get('message-id')).toMatch(/^<.+>$/);
  });

  it('mailparser without textAsHtml gives the same mail wherever it is skipped', async () => {
    const skipped: string[] = [];
    for (const { name, raw } of [...fixtures, { name: 'mixed', raw: mixed }]) {
      const facts = rawFacts(raw);
      const options = { skipImageLinks: true, skipTextLinks: true };
      const full = await simpleParser(raw, options);
      const lean = await simpleParser(raw, { ...options, skipTextToHtml: !facts.mayHaveHtml });
      if (!facts.mayHaveHtml) skipped.push(name);
      // a mail without a valid Date gets the time of parsing: not part of the comparison
      const dated = !Number.isNaN(Date.parse(facts.headers.get('date') ?? ''));
      const same = (m: typeof full) => ({
        name,
        ...m,
        textAsHtml: null,
        date: dated ? m.date : null,
        headers: new Map([...m.headers].filter(([k]) => dated || k !== 'date')),
      });
      // everything but the HTML copy of the text (never read by filing) is the same
      expect(same(lean)).toEqual(same(full));
      if (full.html) expect(facts.mayHaveHtml).toBe(true);
    }
    // most fixtures are plain text; the HTML ones (and the mixed mail) keep the full parse
    expect(skipped.length).toBeGreaterThan(20);
    expect(skipped).not.toContain('05-html-only.eml');
    expect(skipped).not.toContain('mixed');
  });
});
