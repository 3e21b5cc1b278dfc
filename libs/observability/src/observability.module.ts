import { Module } from '@nestjs/common';
import { SystemModule } from '@staydesk/core';
import { OutboxModule } from '@staydesk/outbox';
import { ReadinessMetrics, WorkMetrics } from './metrics.collectors';

/** The api's scrape-time metrics (readiness). HTTP and GraphQL are measured by hooks. */
@Module({ imports: [SystemModule], providers: [ReadinessMetrics] })
export class ObservabilityApiModule {}

/** The worker's scrape-time metrics: queue depths, outbox backlog and lag. */
@Module({ imports: [OutboxModule], providers: [WorkMetrics] })
export class ObservabilityWorkerModule {}
