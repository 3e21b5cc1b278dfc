import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C trace context (`traceparent`, `tracestate`) of the request that wrote an outbox row,
 * when tracing is on: the worker's relay continues that trace, so one trace shows the api's
 * request, the relay, the BullMQ job and what the job did (a solve → its survey e-mail).
 * NULL when the writer was not traced.
 */
export class OutboxTraceContext1764600000000 implements MigrationInterface {
  name = 'OutboxTraceContext1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN trace_context jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN trace_context`);
  }
}
