import { tokenOf } from './live.gateway';

describe('tokenOf (WebSocket sign-in)', () => {
  it('takes the bearer token from connection_init first', () => {
    expect(tokenOf({ authorization: 'Bearer abc.def' }, 'sd_session=zzz')).toBe('abc.def');
    expect(tokenOf({ Authorization: 'bearer  abc' }, undefined)).toBe('abc');
  });

  it('falls back to the sd_session cookie of the upgrade request', () => {
    expect(tokenOf({}, 'theme=dark; sd_session=tok%2Ben; other=1')).toBe('tok+en');
    expect(tokenOf({ authorization: 'Basic xyz' }, 'sd_session=c1')).toBe('c1');
    expect(tokenOf(undefined, 'sd_session_old=x')).toBeNull();
    expect(tokenOf(undefined, undefined)).toBeNull();
    expect(tokenOf({ authorization: 42 }, 'sd_session=')).toBeNull();
    expect(tokenOf({}, 'sd_session=%E0%A4%A')).toBe('%E0%A4%A');
  });
});
