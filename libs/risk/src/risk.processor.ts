import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Handlers, JobNamesOf, JobWindows, checkPayload, payloadIds, runJob } from '@staydesk/core';
import { RiskService } from './risk.service';

/**
 * Customers rescored per transaction of a window job. The feature query for a subset is planned
 * for index lookups per customer (~0.5 ms of PostgreSQL per customer at full size, warm) up to a
 * few hundred customers (see RiskRepository.features); 100 stays well inside that, a chunk's
 * locks and writes are short, and a retry redoes at most one chunk.
 */
export const WINDOW_CHUNK = 100;

/** What a window job did (its return value, kept with the completed job). */
export interface WindowRescored {
  /** Customers claimed from the window's set (the rest of it, on a retry). */
  customers: number;
  /** Of those, active customers scored (others are skipped, like a single rescore). */
  scored: number;
  bandChanges: number;
  followUps: number;
}

/** `risk` queue: debounced rescoring of a window's customers, and the nightly full run. */
@Processor('risk', { lockDuration: 120_000 })
export class RiskProcessor extends WorkerHost {
  private readonly handlers: Handlers<JobNamesOf<'risk'>> = {
    'risk.rescore': async (job) => {
      const d = job.data;
      checkPayload(job, payloadIds(d.customerId));
      const s = await this.risk.rescoreCustomer(d.customerId);
      return s ? { score: s.score, band: s.band } : { skipped: 'not an active customer' };
    },
    'risk.rescore-window': async (job) => {
      const { window } = job.data;
      checkPayload(job, Number.isSafeInteger(window) && window >= 0);
      return this.rescoreWindow(window);
    },
    'risk.rescore-all': () => this.risk.rescoreAll(),
  };

  constructor(
    private readonly risk: RiskService,
    private readonly windows: JobWindows,
    @InjectPinoLogger(RiskProcessor.name) private readonly logger: PinoLogger,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob(this.logger, this.handlers, job);
  }

  /**
   * Claims the window (closing it to later adds) and rescores its customers in chunks, each in
   * its own transaction, taking each chunk out of the set once it has committed: a retry after a
   * failure or a killed worker does the rest. Members that are not ids are dropped (logged).
   */
  async rescoreWindow(window: number): Promise<WindowRescored> {
    const name = 'risk.rescore-window';
    const claimed = await this.windows.claim(name, window);
    const bad = claimed.filter((id) => !payloadIds(id));
    if (bad.length > 0) {
      this.logger.warn({ window, bad: bad.slice(0, 10) }, 'window members that are not ids');
      await this.windows.done(name, window, bad);
    }
    const ids = claimed.filter((id) => payloadIds(id)).sort((a, b) => Number(a) - Number(b));
    const done: WindowRescored = { customers: ids.length, scored: 0, bandChanges: 0, followUps: 0 };
    for (let i = 0; i < ids.length; i += WINDOW_CHUNK) {
      const chunk = ids.slice(i, i + WINDOW_CHUNK);
      const r = await this.risk.rescoreCustomers(chunk);
      await this.windows.done(name, window, chunk);
      done.scored += r.scores.size;
      done.bandChanges += r.bandChanges;
      done.followUps += r.followUps;
    }
    return done;
  }
}
