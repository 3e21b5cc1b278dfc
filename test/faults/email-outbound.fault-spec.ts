import { startSmtpSink } from '../support/smtp-sink';
import { seedTickets, sleep, startFaultStack, waitFor } from './fault-stack';

/**
 * The worker SIGKILLed while it mails replies: after a restart every reply is sent and marked
 * `sent`. A reply the server already had whole (data_sent_at) is reconciled as sent instead of
 * mailed again; duplicates (same Message-ID) are counted and printed, at most one.
 */
describe('fault: worker killed while sending replies', () => {
  it('sends every reply after a restart and counts the duplicates', async () => {
    const sink = await startSmtpSink({ delayMs: 40 });
    const connections = 8; // SMTP_CONNECTIONS: replies in flight at once
    const stack = await startFaultStack({
      SMTP_URL: sink.url,
      WORKER_CONCURRENCY: '5',
      SMTP_CONNECTIONS: String(connections),
    });
    try {
      const n = 60;
      const tickets = await seedTickets(stack.db, n, 'open');
      const agent = await stack.user('agent@fault.example', 'agent');
      // n replies committed as replyToTicket leaves them: message, queued mail row, outbox event
      await stack.db.query(
        `WITH m AS (
           INSERT INTO ticket_messages (ticket_id, kind, author_user_id, body)
           SELECT unnest($1::bigint[]), 'public_reply', $2, 'Reply under fault' RETURNING id, ticket_id),
         mm AS (
           INSERT INTO message_mail (ticket_message_id, direction, message_id, status)
           SELECT id, 'out', 'sd.fault-' || id || '@staydesk.local', 'queued' FROM m RETURNING 1)
         INSERT INTO outbox (type, payload)
         SELECT 'ticket.message_added', jsonb_build_object('ticketId', m.ticket_id::text,
                'customerId', t.customer_id::text, 'messageId', m.id::text, 'kind', 'public_reply')
           FROM m JOIN tickets t ON t.id = m.ticket_id`,
        [tickets, agent],
      );
      const worker = await stack.startWorker();
      await waitFor('some replies sent', async () => sink.mails.length >= 10, 30_000);
      await worker.stop('SIGKILL');
      const killedAt = new Date();
      const atKill = sink.mails.length;
      await sleep(500);
      await stack.startWorker();
      await waitFor(
        'every reply sent',
        async () => {
          const { rows } = await stack.db.query(
            `SELECT count(*)::int AS n FROM message_mail WHERE status = 'sent'`,
          );
          return rows[0].n === n;
        },
        90_000,
      );
      const ids = sink.mails.map((m) => /^Message-ID: <([^>]+)>/im.exec(m.raw)?.[1]);
      const unique = new Set(ids);
      expect(unique.size).toBe(n);
      const duplicates = ids.length - unique.size;
      const { rows: handed } = await stack.db.query(
        `SELECT count(*)::int AS n FROM message_mail WHERE data_sent_at < $1 AND sent_at > $1`,
        [killedAt],
      );
      console.log(
        `worker killed after ${atKill} of ${n} replies: all ${n} sent, ${handed[0].n} reconciled ` +
          `as sent (the server had them whole), ${duplicates} sent twice (same Message-ID)`,
      );
      // only a reply between its final dot and its data_sent_at record can go out twice, and at
      // most one per SMTP connection is in that window at the kill (seen: 0–2 of 60). The
      // per-1,000 duplicate target is the survey run's (worker-kill).
      expect(duplicates).toBeLessThanOrEqual(connections);
    } finally {
      await stack.close();
      await sink.close();
    }
  });
});
