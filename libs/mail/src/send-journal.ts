import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { CamelCasePlugin, Compilable, CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig, DB } from '@staydesk/core';

/** A journal mark built with the typed query builder, on the journal's own connections. */
export type JournalStatement = (db: Kysely<DB>) => Compilable;

/**
 * Records "the server has the whole message" the moment the final dot of an SMTP transaction is
 * written (`OutgoingMail.onDataSent`), on connections of its own (one per SMTP connection): the
 * shared pool may be busy for longer than the server takes to answer, and a worker killed inside
 * that gap mails the message again. `synchronous_commit = off`: the mark must survive the
 * worker, not a crash of PostgreSQL itself (that would only cost a duplicate, never a lost
 * mail), so it does not wait for the WAL flush. A failed mark is logged and skipped (the send
 * still happens; only the duplicate window is wider).
 *
 * Its own pool is not a {@link Tx}, so it has its own typed builder (Kysely's PostgreSQL dialect,
 * camelCase names like `db(tx)`). A mark is either a statement built on it or, for the callers
 * that still hand over SQL text (the e-mail and survey repositories' `DATA_SENT_SQL`), that text
 * and its parameters.
 */
@Injectable()
export class SendJournal implements OnApplicationShutdown {
  private readonly pool: Pool;
  private readonly db: Kysely<DB>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectPinoLogger(SendJournal.name) private readonly logger: PinoLogger,
  ) {
    this.pool = new Pool({
      connectionString: config.database.url,
      max: Math.min(config.mail.smtpConnections, 8),
      idleTimeoutMillis: 60_000,
      connectionTimeoutMillis: 5000,
      application_name: 'staydesk-send-journal',
    });
    this.pool.on('error', () => undefined); // an idle connection lost; the next mark reconnects
    this.db = new Kysely<DB>({
      dialect: new PostgresDialect({
        pool: this.pool,
        // once per new connection, before its first mark
        onCreateConnection: (connection) =>
          connection
            .executeQuery(CompiledQuery.raw('SET synchronous_commit = off'))
            .then(() => undefined)
            .catch(() => undefined),
      }),
      plugins: [new CamelCasePlugin()],
    });
  }

  /** Runs one short UPDATE; never throws. */
  mark(statement: JournalStatement): Promise<void>;
  mark(sql: string, params: readonly unknown[]): Promise<void>;
  async mark(statement: JournalStatement | string, params: readonly unknown[] = []): Promise<void> {
    try {
      await this.db.executeQuery(
        typeof statement === 'string'
          ? CompiledQuery.raw(statement, [...params])
          : statement(this.db),
      );
    } catch (err) {
      this.logger.warn({ err }, 'send journal: mark not recorded');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
