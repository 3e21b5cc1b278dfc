import { Module } from '@nestjs/common';
import { CustomersModule } from '@staydesk/customers';
import { IdentityModule } from '@staydesk/identity';
import { FollowUpsModule } from '@staydesk/followups';
import { MailModule } from '@staydesk/mail';
import { OutboxModule } from '@staydesk/outbox';
import { TicketsModule } from '@staydesk/tickets';
import { AutomationMailService } from './automation-mail.service';
import { AutomationsProcessor } from './automations.processor';
import { CustomFieldsResolver, CustomFieldsService } from './custom-fields';
import { CustomFieldsRepository } from './custom-fields.repository';
import { MergeRepository } from './merge.repository';
import { MergeService } from './merge.service';
import { MergeResolver, RulesResolver } from './rules.graphql';
import { RulesRepository } from './rules.repository';
import { RulesService } from './rules.service';
import { AssignmentService } from './assignment.service';
import { AutomationsRepository } from './automations.repository';
import { AssignmentResolver, MacrosResolver, SavedViewsResolver } from './automations.resolver';
import { ViewsService } from './views.service';
import { MacrosService } from './macros.service';

/** Agent tools: macros, availability and automatic assignment settings, saved views. */
@Module({
  imports: [IdentityModule, CustomersModule, TicketsModule, OutboxModule, FollowUpsModule],
  providers: [
    AutomationsRepository,
    MacrosService,
    AssignmentService,
    ViewsService,
    RulesRepository,
    RulesService,
    MergeRepository,
    MergeService,
    CustomFieldsRepository,
    CustomFieldsService,
  ],
  exports: [
    MacrosService,
    AssignmentService,
    ViewsService,
    RulesService,
    MergeService,
    RulesRepository,
    CustomFieldsService,
  ],
})
export class AutomationsModule {}

/** The GraphQL face of the agent tools (api). */
@Module({
  imports: [AutomationsModule],
  providers: [
    MacrosResolver,
    AssignmentResolver,
    SavedViewsResolver,
    RulesResolver,
    MergeResolver,
    CustomFieldsResolver,
  ],
})
export class AutomationsApiModule {}

/**
 * The worker side: automation rules on changes the worker makes (customers' e-mails), the
 * time-based rules' scan and the automatic e-mails.
 */
@Module({
  imports: [AutomationsModule, MailModule],
  providers: [AutomationMailService, AutomationsProcessor],
})
export class AutomationsWorkerModule {}
