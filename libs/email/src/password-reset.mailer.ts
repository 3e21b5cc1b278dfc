import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { APP_CONFIG, AppConfig, TransactionRunner, db } from '@staydesk/core';
import { passwordResetToken, resetTokenMatches } from '@staydesk/identity';
import { MailService } from '@staydesk/mail';

/**
 * Mails a password-reset link (job `mail.password-reset`, from the outbox event of the request).
 * The token is computed again from the row and the server secret and checked against the stored
 * hash: it is in no table, job or log, only in the mail. A link used or expired before the job
 * runs is not mailed.
 */
@Injectable()
export class PasswordResetMailer {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly mail: MailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async send(resetId: string): Promise<{ sent: boolean; reason?: string }> {
    const r = await db(this.tx.db)
      .selectFrom('passwordResets as r')
      .innerJoin('users as u', 'u.id', 'r.userId')
      .select(['r.userId', 'u.email', 'u.name', 'r.tokenHash', 'r.expiresAt'])
      .where('r.id', '=', resetId)
      .where('r.usedAt', 'is', null)
      .where('r.expiresAt', '>', sql<Date>`now()`)
      .where('u.active', '=', true)
      .executeTakeFirst();
    if (!r) return { sent: false, reason: 'link used, expired or account deactivated' };
    const token = passwordResetToken(this.config.auth.jwtSecret, resetId, r.userId);
    // a changed server secret makes old links unusable: do not mail one that cannot work
    if (!resetTokenMatches(token, r.tokenHash))
      return { sent: false, reason: 'the server secret changed since the link was issued' };
    const link = `${this.config.http.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
    const until = r.expiresAt.toISOString().slice(11, 16);
    await this.mail.send({
      to: r.email,
      subject: 'Reset your Staydesk password',
      text:
        `Hello ${r.name},\n\nSomeone (hopefully you) asked to reset the password of your Staydesk account.\n` +
        `Choose a new password here:\n\n${link}\n\n` +
        `The link works once, until ${until} UTC. Using it signs you out everywhere.\n` +
        `If you did not ask for this, ignore this mail: your password stays as it is.`,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Staydesk-Notification': 'password_reset' },
    });
    return { sent: true };
  }
}
