import { Args, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Loaders, RequestLoaders, badInput } from '@staydesk/core';
import { CustomerObject } from '@staydesk/customers';
import { churnProbabilityOf } from './risk-model';
import { RiskLoaders } from './risk.loaders';
import { RiskHistoryPointObject, RiskScoreObject } from './risk.object';
import { RiskService } from './risk.service';

@Resolver(() => CustomerObject)
export class CustomerRiskResolver {
  constructor(private readonly service: RiskService) {}

  @ResolveField(() => RiskScoreObject, {
    nullable: true,
    description: 'Current churn risk with its factors (null until first scored).',
  })
  async risk(@Parent() c: CustomerObject, @Loaders() loaders: RequestLoaders) {
    const l = loaders.get(RiskLoaders);
    const row = await l.score.load(c.id);
    if (!row) return null;
    // each factor knows its customer and time, for its evidence (risk-evidence.resolver.ts)
    const factors = row.factors.map((f) => ({ ...f, customerId: c.id, asOf: row.computedAt }));
    const calibrated = churnProbabilityOf(row.modelVersion, row.score);
    return {
      ...row,
      factors,
      trend: await l.trend.load(c.id),
      churnProbability: calibrated?.probability ?? null,
      probabilityHorizonDays: calibrated?.horizonDays ?? null,
    };
  }

  @ResolveField(() => [RiskHistoryPointObject], {
    description: 'Recorded scores over the last `days` days (default 180), oldest first.',
  })
  riskHistory(
    @Parent() c: CustomerObject,
    @Args('days', { type: () => Int, nullable: true, defaultValue: 180 }) days: number,
  ) {
    if (days < 1 || days > 3650) throw badInput('days', 'must be from 1 to 3650');
    return this.service.history(c.id, days);
  }
}
