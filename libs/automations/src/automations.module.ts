import { Module } from '@nestjs/common';
import { CustomersModule } from '@staydesk/customers';
import { IdentityModule } from '@staydesk/identity';
import { TicketsModule } from '@staydesk/tickets';
import { AssignmentService } from './assignment.service';
import { AutomationsRepository } from './automations.repository';
import { AssignmentResolver, MacrosResolver, SavedViewsResolver } from './automations.resolver';
import { ViewsService } from './views.service';
import { MacrosService } from './macros.service';

/** Agent tools: macros, availability and automatic assignment settings, saved views. */
@Module({
  imports: [IdentityModule, CustomersModule, TicketsModule],
  providers: [AutomationsRepository, MacrosService, AssignmentService, ViewsService],
  exports: [MacrosService, AssignmentService, ViewsService],
})
export class AutomationsModule {}

/** The GraphQL face of the agent tools (api). */
@Module({
  imports: [AutomationsModule],
  providers: [MacrosResolver, AssignmentResolver, SavedViewsResolver],
})
export class AutomationsApiModule {}
