import { decryptSecret, encryptSecret } from './mailbox-crypto';

const KEY = 'ab'.repeat(32);

describe('mailbox password encryption', () => {
  it('round-trips, never stores the plain text, and refuses another key or tampering', () => {
    const sealed = encryptSecret('hunter2 ü', KEY);
    expect(sealed).not.toContain('hunter2');
    expect(encryptSecret('hunter2 ü', KEY)).not.toBe(sealed); // fresh IV each time
    expect(decryptSecret(sealed, KEY)).toBe('hunter2 ü');
    expect(() => decryptSecret(sealed, 'cd'.repeat(32))).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => decryptSecret(parts.join('.'), KEY)).toThrow();
  });
});
