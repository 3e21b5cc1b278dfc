import { Module } from '@nestjs/common';
import { CustomersModule } from '@staydesk/customers';
import { IdentityModule } from '@staydesk/identity';
import { KpiExportController } from './kpis.export.controller';
import { KpisProcessor } from './kpis.processor';
import { KpisRepository } from './kpis.repository';
import { KpiDrillResolver, KpiRowResolver, KpisResolver } from './kpis.resolver';
import { KpiDrillRepository } from './kpi-drill.repository';
import { KpiDrillService } from './kpi-drill.service';
import { TicketsModule } from '@staydesk/tickets';
import { KpisService } from './kpis.service';

/** Support KPIs: facts, cells and the query planner (`KpisService.rebuild()` after bulk loads). */
@Module({
  providers: [KpisRepository, KpisService],
  exports: [KpisService],
})
export class KpisModule {}

/** GraphQL `supportKpis` and the CSV export route (api). */
@Module({
  imports: [KpisModule, IdentityModule, TicketsModule, CustomersModule],
  providers: [KpisResolver, KpiRowResolver, KpiDrillRepository, KpiDrillService, KpiDrillResolver],
  controllers: [KpiExportController],
})
export class KpisApiModule {}

/** The `kpis` queue processor (worker). */
@Module({ imports: [KpisModule], providers: [KpisProcessor] })
export class KpisWorkerModule {}
