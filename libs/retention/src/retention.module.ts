import { Module } from '@nestjs/common';
import { CustomersModule } from '@staydesk/customers';
import { FollowUpsModule } from '@staydesk/followups';
import { IdentityModule } from '@staydesk/identity';
import { RetentionRepository } from './retention.repository';
import { RetentionCustomerResolver, RetentionResolver } from './retention.resolver';
import { RetentionService } from './retention.service';
import { RiskListExportController } from './retention.export.controller';
import { RiskRowLoaders } from './risk-row.loaders';
import { RiskRowRepository } from './risk-row.repository';
import { RiskRowResolver } from './risk-row.resolver';

/** Retention: the churn-risk list, its actions and retention rates (reuses customers and follow-ups). */
@Module({
  imports: [CustomersModule, FollowUpsModule],
  providers: [RetentionRepository, RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}

/** GraphQL (riskList, retentionSummary, actions) and the risk-list CSV export (api). */
@Module({
  imports: [RetentionModule, IdentityModule, CustomersModule],
  providers: [
    RetentionResolver,
    RetentionCustomerResolver,
    RiskRowResolver,
    RiskRowRepository,
    RiskRowLoaders,
  ],
  controllers: [RiskListExportController],
})
export class RetentionApiModule {}
