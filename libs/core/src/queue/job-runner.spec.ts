import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { PinoLogger } from 'nestjs-pino';
import { checkPayload, payloadIds, runJob } from './job-runner';

class Refused extends Error {}

const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() } as Pick<
  PinoLogger,
  'info' | 'warn' | 'error'
> as PinoLogger;

const job = (data: unknown) => ({ id: '1', name: 'risk.rescore', data, attemptsMade: 0 }) as Job;

describe('runJob', () => {
  it('fails an error of a permanent class for good, after logging it', async () => {
    const failing = { 'risk.rescore': () => Promise.reject(new Refused('550 no such user')) };
    const err = await runJob(logger, failing, job({}), [Refused]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe('550 no such user');
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ jobName: 'risk.rescore', err: expect.any(Refused) }),
      'job failed',
    );
  });

  it('rethrows any other error as it is, for a retry', async () => {
    const boom = new Error('connection reset');
    const failing = { 'risk.rescore': () => Promise.reject(boom) };
    await expect(runJob(logger, failing, job({}), [Refused])).rejects.toBe(boom);
  });
});

describe('payload checks', () => {
  it('accepts ids as decimal text or numbers, nothing else', () => {
    expect(payloadIds('1', 42, '123456789012345678')).toBe(true);
    expect(payloadIds('0')).toBe(false);
    expect(payloadIds('1234567890123456789')).toBe(false);
    expect(payloadIds(undefined)).toBe(false);
    expect(payloadIds('7', 'x')).toBe(false);
  });

  it('fails a malformed payload without a retry, naming the job and its data', () => {
    expect(() => checkPayload(job({ customerId: 'x' }), true)).not.toThrow();
    expect(() => checkPayload(job({ customerId: 'x' }), false)).toThrow(
      new UnrecoverableError('malformed payload for risk.rescore: {"customerId":"x"}'),
    );
  });
});
