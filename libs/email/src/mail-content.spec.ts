import { classifyNoise, htmlToText, newPartOf, sanitizeHtml } from './mail-content';

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n] });

describe('mail content', () => {
  it('classifies loops and noise', () => {
    expect(classifyNoise(headers({ 'auto-submitted': 'auto-replied' }), 'a@x', 'text/plain')).toBe(
      'auto_reply',
    );
    expect(classifyNoise(headers({ 'auto-submitted': 'no' }), 'a@x', 'text/plain')).toBeNull();
    expect(classifyNoise(headers({ subject: 'Out of Office: Re: hi' }), 'a@x', 'text/plain')).toBe(
      'auto_reply',
    );
    expect(
      classifyNoise(headers({ subject: 'Automatische Antwort: Rechnung' }), 'a@x', 'text/plain'),
    ).toBe('auto_reply');
    expect(classifyNoise(headers({ precedence: 'bulk' }), 'a@x', 'text/plain')).toBe('list');
    expect(classifyNoise(headers({ 'list-id': '<x.lists>' }), 'a@x', 'text/plain')).toBe('list');
    expect(classifyNoise(headers({}), '', 'text/plain')).toBe('bounce');
    expect(
      classifyNoise(
        headers({}),
        'a@x',
        'multipart/report; report-type=delivery-status; boundary=x',
      ),
    ).toBe('bounce');
    expect(
      classifyNoise(headers({ subject: 'Office move next week' }), 'a@x', 'text/plain'),
    ).toBeNull();
  });

  it('keeps the new part of replies and the whole of forwards', () => {
    expect(newPartOf('Yes.\n\nOn Mon, 1 Dec 2026 at 10:00, Ann <a@x>\nwrote:\n> old').text).toBe(
      'Yes.',
    );
    expect(newPartOf('Yes.\n\n-----Original Message-----\nFrom: x').text).toBe('Yes.');
    expect(newPartOf('Yes.\n-- \nAnn\nCEO').text).toBe('Yes.');
    expect(newPartOf('Yes.\n> quoted\n> more\n').text).toBe('Yes.');
    const fwd = 'FYI\n\n---------- Forwarded message ---------\nFrom: b@y\nDate: x\n\nbody';
    expect(newPartOf(fwd)).toEqual({ text: fwd, stripped: false });
    // nothing but a quote: keep everything rather than show nothing
    expect(newPartOf('> only a quote').text).toBe('> only a quote');
  });

  it('sanitizes HTML and turns it into text', () => {
    const html = sanitizeHtml(
      '<p onclick="x()">Hi <script>bad()</script><a href="javascript:x">a</a> <a href="https://ok.example">b</a></p><img src="https://track.example/p.gif">',
    );
    expect(html).not.toMatch(/script|onclick|javascript|track\.example/);
    expect(html).toContain('href="https://ok.example"');
    expect(htmlToText('<p>One &amp; two</p><p>Three<br>four</p>')).toBe('One & two\nThree\nfour');
  });
});
