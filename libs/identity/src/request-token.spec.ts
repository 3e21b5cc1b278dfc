import { cookieValue, requestToken } from './request-token';

describe('requestToken', () => {
  it('reads the bearer token first, then the sd_session cookie', () => {
    expect(requestToken({ authorization: 'Bearer abc', cookie: 'sd_session=def' })).toBe('abc');
    expect(requestToken({ cookie: 'theme=dark; sd_session=def; x=1' })).toBe('def');
    expect(requestToken({ cookie: 'sd_session="q.r.s"' })).toBe('q.r.s');
    expect(requestToken({})).toBeNull();
    expect(requestToken(undefined)).toBeNull();
  });

  it('does not fall back to the cookie when the Authorization header is malformed', () => {
    expect(requestToken({ authorization: 'Basic eDp5', cookie: 'sd_session=def' })).toEqual({
      malformed: true,
    });
  });

  it('ignores similar names and broken escapes', () => {
    expect(cookieValue('xsd_session=1; sd_sessionx=2', 'sd_session')).toBeUndefined();
    expect(cookieValue('sd_session=%E0%A4%A', 'sd_session')).toBeUndefined();
    expect(cookieValue('sd_session=', 'sd_session')).toBeUndefined();
  });
});
