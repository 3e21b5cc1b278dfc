import {
  addressOf,
  isSupportAddress,
  messageIdList,
  replyAddress,
  ticketNumberOfSubject,
  ticketOfReplyAddress,
  ticketSubject,
} from './mail-headers';

const SECRET = 'x'.repeat(40);

describe('mail headers', () => {
  it('extracts addresses from display forms', () => {
    expect(addressOf('"Ann Lee" <Ann@Example.COM>')).toBe('ann@example.com');
    expect(addressOf('bob@example.org')).toBe('bob@example.org');
    expect(addressOf('undisclosed-recipients:;')).toBeNull();
  });

  it('accepts support addresses and their plus forms only', () => {
    const support = ['support@staydesk.local'];
    expect(isSupportAddress('SUPPORT@staydesk.local', support)).toBe(true);
    expect(isSupportAddress('support+t12.abc@staydesk.local', support)).toBe(true);
    expect(isSupportAddress('sales@staydesk.local', support)).toBe(false);
    expect(isSupportAddress('support@other.example', support)).toBe(false);
  });

  it('signs reply addresses so a guessed ticket id does not route', () => {
    const support = ['support@staydesk.local'];
    const a = replyAddress('support@staydesk.local', '42', SECRET);
    expect(a).toMatch(/^support\+t42\.[0-9a-f]{16}@staydesk\.local$/);
    expect(ticketOfReplyAddress(a, support, SECRET)).toBe('42');
    expect(ticketOfReplyAddress(a.replace('t42', 't43'), support, SECRET)).toBeNull();
    expect(ticketOfReplyAddress(a, support, 'y'.repeat(40))).toBeNull();
    expect(ticketOfReplyAddress('support+t42@staydesk.local', support, SECRET)).toBeNull();
  });

  it('tags subjects once and reads the tag back', () => {
    expect(ticketSubject(1042, 'Printer on fire', false)).toBe('[#1042] Printer on fire');
    expect(ticketSubject(1042, 'Printer on fire', true)).toBe('Re: [#1042] Printer on fire');
    expect(ticketSubject(1042, 'Re: [#1042] Printer', true)).toBe('Re: [#1042] Printer');
    expect(ticketNumberOfSubject('RE: [#1042] Printer')).toBe(1042);
    expect(ticketNumberOfSubject('Printer #1042')).toBeNull();
  });

  it('lists message ids of References in order', () => {
    expect(messageIdList('<a@x> <b@y>\r\n <c@z>')).toEqual(['a@x', 'b@y', 'c@z']);
    expect(messageIdList(['<a@x>', '<b@y>'])).toEqual(['a@x', 'b@y']);
    expect(messageIdList(undefined)).toEqual([]);
  });
});
