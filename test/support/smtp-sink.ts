import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on a random loopback port that keeps every message it accepts.
 * `reject` makes it refuse recipients with 550 (a permanent failure); `rejectData` refuses each
 * message with 554 after its final dot (the whole message was sent); `delayMs` makes each
 * message take that long to accept (a slow mail server, so jobs stay in flight).
 */
export async function startSmtpSink(
  options: {
    reject?: boolean;
    rejectData?: boolean;
    delayMs?: number;
    rejectAddress?: (address: string) => boolean;
    /** Keeps only the mails this accepts (others are accepted and dropped). */
    only?: (raw: string) => boolean;
  } = {},
) {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.reject || options.rejectAddress?.(address.address)) {
        const err = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        setTimeout(() => {
          if (options.rejectData) {
            return callback(Object.assign(new Error('message refused'), { responseCode: 554 }));
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          if (!options.only || options.only(raw)) {
            mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          }
          callback();
        }, options.delayMs ?? 0);
      });
    },
  });
  // a client killed mid-message (fault tests SIGKILL the worker) resets its connection
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    /** Waits until `n` mails arrived (bounded). */
    async waitFor(n: number, timeoutMs = 15_000): Promise<ReceivedMail[]> {
      const until = Date.now() + timeoutMs;
      while (mails.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} mails, got ${mails.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The text part of a raw message, with quoted-printable soft breaks undone. */
export function mailText(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
}

export function surveyLinks(raw: string): string[] {
  return [
    ...new Set(
      mailText(raw).match(
        /https?:\/\/[^\s"<>]+\/s\/[A-Za-z0-9_-]{43}(?:\?score=\d+|\/opt-out)?/g,
      ) ?? [],
    ),
  ];
}
