import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig, JobPublisher } from '@staydesk/core';

/** Repeatable jobs, upserted at every worker boot (idempotent across many workers). */
@Injectable()
export class Schedules implements OnApplicationBootstrap {
  constructor(
    private readonly publisher: JobPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const every = (seconds: number) => ({ everyMs: seconds * 1000 });
    await this.publisher.schedule(
      'system.heartbeat',
      'system.heartbeat',
      {},
      every(this.config.worker.heartbeatSeconds),
    );
    await this.publisher.schedule('tickets.sla-scan', 'tickets.sla-scan', {}, every(60));
    await this.publisher.schedule('followups.scan-due', 'followups.scan-due', {}, every(60));
    // e-mail channel: solved tickets close after AUTO_CLOSE_DAYS; stored-but-unfiled mail is re-queued
    await this.publisher.schedule('tickets.auto-close', 'tickets.auto-close', {}, every(15 * 60));
    await this.publisher.schedule('mail.sweep', 'mail.sweep', {}, every(60));
    // time-based automation rules (pending for N hours, unanswered for N minutes, …)
    await this.publisher.schedule('automations.time-scan', 'automations.time-scan', {}, every(60));
    // KPI facts and cells: whatever changed (ticket events also trigger a debounced refresh)
    await this.publisher.schedule(
      'kpi.refresh',
      'kpi.refresh',
      {},
      every(this.config.kpi.refreshSeconds),
    );
    // churn risk: everyone, nightly at 02:00 UTC
    await this.publisher.schedule(
      'risk.rescore-all',
      'risk.rescore-all',
      {},
      { pattern: '0 2 * * *', tz: 'UTC' },
    );
    // and once at boot (after a deploy or a demo seed), deduplicated per hour across workers
    const hour = new Date().toISOString().slice(0, 13).replace(/\D/g, '');
    await this.publisher.publish('risk.rescore-all', {}, { jobId: `risk-boot-${hour}` });
    // lifetime values and value segments: nightly after the rescore (02:30 UTC), and at boot
    await this.publisher.schedule(
      'value.recompute',
      'value.recompute',
      {},
      { pattern: '30 2 * * *', tz: 'UTC' },
    );
    await this.publisher.publish(
      'value.recompute',
      {},
      { jobId: `value-boot-${hour}`, delayMs: 120_000 },
    );
    // relationship NPS: once a day, at 09:00 UTC
    await this.publisher.schedule(
      'surveys.nps-scan',
      'surveys.nps-scan',
      {},
      { pattern: '0 9 * * *', tz: 'UTC' },
    );
  }
}
