import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { PinoLogger } from 'nestjs-pino';
import { timeJob } from '@staydesk/telemetry';
import { JobData, JobName, isJobName } from './jobs';

/** A job as its handler sees it: the payload typed by the job registry (./jobs.ts). */
export type TypedJob<K extends JobName> = Job<JobData<K>, unknown, K>;

/**
 * One handler per job name of a queue, each receiving its own payload type. The payload is typed
 * here, once, from the registry; a handler still checks what Redis may hold from an older deploy
 * (ids, shapes) and fails such a job with UnrecoverableError.
 */
export type Handlers<N extends JobName> = { [K in N]: (job: TypedJob<K>) => Promise<unknown> };

type ErrorClass = abstract new (...args: never[]) => Error;

/** A bigint id as a payload carries it (decimal text, or a number). */
const PAYLOAD_ID = /^[1-9]\d{0,17}$/;

/** Whether every value is an id: a handler's check of the ids in a payload. */
export function payloadIds(...values: unknown[]): boolean {
  return values.every((v) => PAYLOAD_ID.test(String(v)));
}

/**
 * Fails a job whose payload is not what its handler needs: Redis may hold jobs from an older
 * deploy, and a malformed payload will never succeed, so no retry (UnrecoverableError).
 */
export function checkPayload(job: Job, ok: boolean): void {
  if (!ok)
    throw new UnrecoverableError(`malformed payload for ${job.name}: ${JSON.stringify(job.data)}`);
}

/**
 * Runs one job through its handler with structured logs `{jobId, jobName, attempt, durationMs}`.
 * An unknown job name (e.g. left in Redis by an older deploy) fails permanently, not in a retry
 * loop; so does an error of a `permanent` class (one that retries cannot cure, e.g. a mail
 * server's permanent refusal), after it is logged.
 */
export async function runJob<N extends JobName>(
  logger: PinoLogger,
  handlers: Handlers<N>,
  job: Job,
  permanent: ErrorClass[] = [],
): Promise<unknown> {
  const started = performance.now();
  const fields = { jobId: job.id, jobName: job.name, attempt: job.attemptsMade + 1 };
  if (!isJobName(job.name) || !(job.name in handlers)) {
    logger.error(fields, 'unknown job name');
    throw new UnrecoverableError(`unknown job name ${job.name}`);
  }
  try {
    const handler = handlers[job.name as N] as (job: TypedJob<N>) => Promise<unknown>;
    const result = await timeJob(job.name, () => handler(job as TypedJob<N>));
    logger.info({ ...fields, durationMs: Math.round(performance.now() - started) }, 'job done');
    return result;
  } catch (err) {
    logger.warn(
      { ...fields, durationMs: Math.round(performance.now() - started), err },
      'job failed',
    );
    if (permanent.some((c) => err instanceof c))
      throw new UnrecoverableError((err as Error).message);
    throw err;
  }
}
