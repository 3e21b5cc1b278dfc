import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Pool } from 'pg';
import { APP_CONFIG, AppConfig } from '@staydesk/core';

/**
 * Records "the server has the whole message" the moment the final dot of an SMTP transaction is
 * written (`OutgoingMail.onDataSent`), on connections of its own (one per SMTP connection): the
 * shared pool may be busy for longer than the server takes to answer, and a worker killed inside
 * that gap mails the message again. `synchronous_commit = off`: the mark must survive the
 * worker, not a crash of PostgreSQL itself (that would only cost a duplicate, never a lost
 * mail), so it does not wait for the WAL flush. A failed mark is logged and skipped (the send
 * still happens; only the duplicate window is wider).
 */
@Injectable()
export class SendJournal implements OnApplicationShutdown {
  private readonly pool: Pool;

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
    this.pool.on('connect', (client) => {
      client.query('SET synchronous_commit = off').catch(() => undefined);
    });
    this.pool.on('error', () => undefined); // an idle connection lost; the next mark reconnects
  }

  /** Runs one short UPDATE; never throws. */
  async mark(sql: string, params: unknown[]): Promise<void> {
    try {
      await this.pool.query(sql, params);
    } catch (err) {
      this.logger.warn({ err }, 'send journal: mark not recorded');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
