import {
  hashResetToken,
  passwordResetToken,
  resetTokenId,
  resetTokenMatches,
} from './password-reset';

describe('password reset tokens', () => {
  const token = passwordResetToken('s3cret', '42', '7');

  it('names its row and matches only its own stored hash', () => {
    expect(resetTokenId(token)).toBe('42');
    expect(resetTokenMatches(token, hashResetToken(token))).toBe(true);
    expect(resetTokenMatches(token, hashResetToken(passwordResetToken('s3cret', '42', '8')))).toBe(
      false,
    );
    expect(resetTokenMatches(token, null)).toBe(false);
  });

  it('depends on the server secret, and refuses strings not shaped like a token', () => {
    expect(passwordResetToken('other', '42', '7')).not.toBe(token);
    expect(resetTokenId('42')).toBeNull();
    expect(resetTokenId('0.abc')).toBeNull();
    expect(resetTokenId(`${token}x`)).toBeNull();
  });
});
