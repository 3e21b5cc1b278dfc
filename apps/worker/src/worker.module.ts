import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig, PlatformModule, SystemModule } from '@staydesk/core';
import { AutomationsWorkerModule } from '@staydesk/automations';
import { EmailWorkerModule } from '@staydesk/email';
import { FollowUpsWorkerModule } from '@staydesk/followups';
import { ImportWorkerModule } from '@staydesk/import';
import { ObservabilityWorkerModule } from '@staydesk/observability';
import { OutboxWorkerModule } from '@staydesk/outbox';
import { RiskWorkerModule } from '@staydesk/risk';
import { KpisWorkerModule } from '@staydesk/kpis';
import { LiveWorkerModule } from '@staydesk/live';
import { SurveysWorkerModule } from '@staydesk/surveys';
import { TicketsWorkerModule } from '@staydesk/tickets';
import { ValueWorkerModule } from '@staydesk/value';
import { Schedules } from './schedules';
import { SystemProcessor } from './system.processor';
import { WorkerTuning } from './worker-tuning';

/** The BullMQ process: no HTTP server, one processor per queue, schedules upserted at boot. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: { schedules?: boolean } = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot(config),
        SystemModule,
        TicketsWorkerModule,
        FollowUpsWorkerModule,
        SurveysWorkerModule,
        RiskWorkerModule,
        ImportWorkerModule,
        KpisWorkerModule,
        EmailWorkerModule,
        OutboxWorkerModule,
        LiveWorkerModule,
        ObservabilityWorkerModule,
        ValueWorkerModule,
        AutomationsWorkerModule,
        DiscoveryModule,
      ],
      providers: [
        WorkerTuning,
        SystemProcessor,
        ...(options.schedules === false ? [] : [Schedules]),
      ],
    };
  }
}
