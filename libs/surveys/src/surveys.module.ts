import { Module } from '@nestjs/common';
import { CustomersModule } from '@staydesk/customers';
import { FollowUpsModule } from '@staydesk/followups';
import { MailModule } from '@staydesk/mail';
import { OutboxModule } from '@staydesk/outbox';
import { SurveyPageController } from './survey-page.controller';
import { SurveysLoaders } from './surveys.loaders';
import { SurveysProcessor } from './surveys.processor';
import { SurveysRepository } from './surveys.repository';
import {
  CustomerSurveysResolver,
  SurveyStatsResolver,
  TicketSurveysResolver,
} from './surveys.resolver';
import { SurveysService } from './surveys.service';

@Module({
  imports: [OutboxModule, FollowUpsModule, MailModule, CustomersModule],
  providers: [SurveysRepository, SurveysService, SurveysLoaders],
  exports: [SurveysService, SurveysLoaders],
})
export class SurveysModule {}

/** api: the public survey pages and the GraphQL fields. */
@Module({
  imports: [SurveysModule],
  controllers: [SurveyPageController],
  providers: [SurveyStatsResolver, TicketSurveysResolver, CustomerSurveysResolver],
})
export class SurveysApiModule {}

/** worker: CSAT sending, delivery, reminders, NPS scans. */
@Module({ imports: [SurveysModule], providers: [SurveysProcessor] })
export class SurveysWorkerModule {}
