import { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { APP_CONFIG, AppConfig } from '@staydesk/core';
import { isSupportAddress } from '@staydesk/mail';
import { InboundService } from './inbound.service';
import { smtpServer } from './mail-libs';

/** Longest wait for PostgreSQL and Redis before telling the sender to try again later. */
const STORE_TIMEOUT_MS = 10_000;

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code });

/**
 * The built-in SMTP receiver (worker process): an MTA hands it mail for the support addresses.
 * It answers 250 only after the message is stored in PostgreSQL and its filing queued in Redis;
 * when either is down it answers 451, so the sending MTA keeps the message and retries.
 */
@Injectable()
export class InboundSmtpReceiver implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: SMTPServer | null = null;
  /** The port it listens on (useful with INBOUND_SMTP_PORT=0). */
  port = 0;

  constructor(
    private readonly inbound: InboundService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(InboundSmtpReceiver.name) private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.email.inboundEnabled) return;
    const { inboundHost, inboundPort, inboundMaxBytes, supportAddresses } = this.config.email;
    const server = new (smtpServer().SMTPServer)({
      name: hostname(),
      banner: 'Staydesk inbound mail',
      size: inboundMaxBytes,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      maxClients: 200,
      closeTimeout: 2000,
      onRcptTo: (address, _session, callback) => {
        if (isSupportAddress(address.address, supportAddresses)) return callback();
        callback(smtpError(550, `5.1.1 <${address.address}>: no such support address here`));
      },
      onData: (stream, session, callback) => {
        this.onData(stream, session).then(
          (message) => callback(null, message),
          (err: Error) => callback(err),
        );
      },
    });
    server.on('error', (err) => this.logger.warn({ err }, 'inbound SMTP connection error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(inboundPort, inboundHost, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    this.logger.info({ host: inboundHost, port: this.port }, 'inbound SMTP receiver listening');
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.sizeExceeded) {
      throw smtpError(552, `5.3.4 message larger than ${this.config.email.inboundMaxBytes} bytes`);
    }
    const raw = Buffer.concat(chunks);
    const mailFrom = session.envelope.mailFrom
      ? session.envelope.mailFrom.address.toLowerCase()
      : '';
    try {
      // a store that hangs (Redis reconnecting, PostgreSQL failing over) is answered 451 too
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([
        this.inbound.receive(raw, {
          source: 'smtp',
          mailFrom,
          rcptTo: session.envelope.rcptTo.map((a) => a.address.toLowerCase()),
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('store timed out')), STORE_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      return r.stored ? `2.0.0 stored as ${r.id}` : `2.0.0 already have it (${r.id})`;
    } catch (err) {
      this.logger.warn({ err }, 'inbound mail not stored; sender told to retry');
      throw smtpError(451, '4.3.0 temporarily unable to store the message, try again later');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
