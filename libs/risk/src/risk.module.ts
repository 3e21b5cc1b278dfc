import { Module } from '@nestjs/common';
import { FollowUpsModule } from '@staydesk/followups';
import { IdentityModule } from '@staydesk/identity';
import { RiskLoaders } from './risk.loaders';
import { RiskProcessor } from './risk.processor';
import { RiskRepository } from './risk.repository';
import { CustomerRiskResolver } from './risk.resolver';
import { RiskEvidenceRepository } from './risk-evidence.repository';
import { RiskFactorEvidenceResolver } from './risk-evidence.resolver';
import { RiskService } from './risk.service';

@Module({
  imports: [FollowUpsModule],
  providers: [RiskRepository, RiskService, RiskLoaders],
  exports: [RiskService, RiskLoaders, RiskRepository],
})
export class RiskModule {}

@Module({
  imports: [RiskModule, IdentityModule],
  providers: [CustomerRiskResolver, RiskEvidenceRepository, RiskFactorEvidenceResolver],
})
export class RiskApiModule {}

@Module({ imports: [RiskModule], providers: [RiskProcessor] })
export class RiskWorkerModule {}
