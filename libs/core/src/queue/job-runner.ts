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

/**
 * Runs one job through its handler with structured logs `{jobId, jobName, attempt, durationMs}`.
 * An unknown job name (e.g. left in Redis by an older deploy) fails permanently, not in a retry loop.
 */
export async function runJob<N extends JobName>(
  logger: PinoLogger,
  handlers: Handlers<N>,
  job: Job,
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
    throw err;
  }
}
