import { Inject, Injectable } from '@nestjs/common';
import { Args, Field, ID, Int, Mutation, ObjectType, Resolver } from '@nestjs/graphql';
import {
  APP_CONFIG,
  AppConfig,
  AuditRepository,
  TransactionRunner,
  badInput,
  db,
  notFound,
} from '@staydesk/core';
import { Actor, CurrentUser, Roles, validateId } from '@staydesk/identity';
import { decryptSecret } from './mailbox-crypto';
import { imapflow } from './mail-libs';
import { MailboxesRepository } from './mailboxes.repository';

@ObjectType('MailboxTest', { description: 'What a connection test of a mailbox found.' })
export class MailboxTestObject {
  @Field({ description: 'Signed in and opened the folder.' }) ok!: boolean;
  @Field({ description: 'What happened, in a sentence (the server error when it failed).' })
  message!: string;
  @Field(() => Int, { nullable: true, description: 'Messages in the folder (when ok).' })
  messages!: number | null;
}

/** Admin chores on IMAP mailboxes beside ImapService: a connection test and removal. */
@Injectable()
export class MailboxAdminService {
  constructor(
    private readonly repo: MailboxesRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Signs in with the stored settings and opens the folder; never throws for a server's refusal. */
  async test(id: string): Promise<MailboxTestObject> {
    validateId(id);
    const box = await this.repo.byId(this.tx.db, id);
    if (!box) throw notFound('mailbox', id);
    const key = this.config.email.mailboxKey;
    if (!key) throw badInput('password', 'set MAILBOX_SECRET_KEY to read mailbox passwords');
    const client = new (imapflow().ImapFlow)({
      host: box.host,
      port: box.port,
      secure: box.tls,
      auth: { user: box.username, pass: decryptSecret(box.passwordEnc, key) },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 15_000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const status = await client.status(box.folder, { messages: true });
      const messages = status ? (status.messages ?? 0) : 0;
      return {
        ok: true,
        message: `Signed in to ${box.host} as ${box.username}; ${box.folder} holds ${messages} messages.`,
        messages,
      };
    } catch (err) {
      const e = err as Error & { responseText?: string; authenticationFailed?: boolean };
      const why = e.authenticationFailed
        ? 'the server refused the user name or password'
        : e.responseText || e.message;
      return {
        ok: false,
        message: `Could not use ${box.host}:${box.port}: ${why}.`,
        messages: null,
      };
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  async remove(actor: Actor, id: string): Promise<boolean> {
    validateId(id);
    return this.tx.run(async (tx) => {
      const rows = await db(tx)
        .deleteFrom('mailMailboxes')
        .where('mailMailboxes.id', '=', id)
        .returning('mailMailboxes.name')
        .execute();
      if (!rows.length) throw notFound('mailbox', id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'mailbox.delete',
        entity: 'mailbox',
        entityId: id,
        details: { name: rows[0].name },
      });
      return true;
    });
  }
}

@Resolver()
export class MailboxAdminResolver {
  constructor(private readonly admin: MailboxAdminService) {}

  @Roles('admin')
  @Mutation(() => MailboxTestObject, {
    description:
      'Admins: sign in to a mailbox with its stored settings and open its folder (a refusal is ok: false with the reason, not an error).',
  })
  testMailbox(@Args('id', { type: () => ID }) id: string) {
    return this.admin.test(id);
  }

  @Roles('admin')
  @Mutation(() => Boolean, {
    description:
      'Admins: remove a mailbox (mail already imported stays). Use setMailboxActive to pause instead.',
  })
  deleteMailbox(@CurrentUser() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.admin.remove(actor, id);
  }
}
