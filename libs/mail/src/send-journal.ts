import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Client } from 'pg';
import { APP_CONFIG, AppConfig } from '@staydesk/core';

/**
 * Records "the server has the whole message" the moment the final dot of an SMTP transaction is
 * written (`OutgoingMail.onDataSent`), on a connection of its own: the shared pool may be busy
 * for longer than the server takes to answer, and a worker killed inside that gap mails the
 * message again. One statement at a time (node-postgres queues them), autocommit, so each mark is
 * durable within a round trip. Without the connection the mark is skipped (the send still
 * happens; only the duplicate window is wider) and the next mark reconnects.
 */
@Injectable()
export class SendJournal implements OnApplicationShutdown {
  private client: Promise<Client> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(SendJournal.name) private readonly logger: PinoLogger,
  ) {}

  /** Runs one short UPDATE; never throws. */
  async mark(sql: string, params: unknown[]): Promise<void> {
    try {
      const client = await this.connect();
      await client.query(sql, params);
    } catch (err) {
      this.logger.warn({ err }, 'send journal: mark not recorded');
    }
  }

  private connect(): Promise<Client> {
    this.client ??= (async () => {
      const client = new Client({
        connectionString: this.config.database.url,
        connectionTimeoutMillis: 5000,
        application_name: 'staydesk-send-journal',
      });
      client.on('error', () => {
        this.client = null;
      });
      try {
        await client.connect();
        return client;
      } catch (err) {
        this.client = null;
        throw err;
      }
    })();
    return this.client;
  }

  async onApplicationShutdown(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.then((client) => client.end()).catch(() => undefined);
  }
}
