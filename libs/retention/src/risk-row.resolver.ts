import {
  Args,
  Field,
  Float,
  GraphQLISODateTime,
  Int,
  ObjectType,
  Parent,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { Loaders, RequestLoaders, badInput } from '@staydesk/core';
import { RiskHistoryPointObject } from '@staydesk/risk';
import { RiskRowLoaders } from './risk-row.loaders';
import type { RiskListRow } from './retention.repository';
import { RiskListRowObject } from './retention.object';

@ObjectType('RiskFactorPoints', {
  description: 'A factor of a risk score with the points it adds (for bars in a list).',
})
export class RiskFactorPointsObject {
  @Field({ description: 'Factor id, e.g. sla_breaches (see RiskFactor.name).' }) name!: string;
  @Field({ description: 'The factor in words.' }) label!: string;
  @Field(() => Float, {
    description:
      'Points of the score this factor accounts for (as RiskFactor.contribution; positive here).',
  })
  contribution!: number;
}

type RowParent = RiskListRowObject & Pick<RiskListRow, 'factors'>;

/** Per-row extras of the risk list for the console: factor points, sparkline, last contact. */
@Resolver(() => RiskListRowObject)
export class RiskRowResolver {
  @ResolveField(() => [RiskFactorPointsObject], {
    description:
      'The three factors adding most to the score, with their points, largest first (the same as topFactors).',
  })
  topFactorPoints(@Parent() r: RowParent): RiskFactorPointsObject[] {
    return [...(r.factors ?? [])]
      .filter((f) => f.contribution > 0)
      .sort((a, b) => b.contribution - a.contribution)
      .slice(0, 3)
      .map((f) => ({ name: f.name, label: f.label, contribution: f.contribution }));
  }

  @ResolveField(() => [RiskHistoryPointObject], {
    description:
      'Recorded scores of the last `days` days (1–365, default 90), oldest first: one query for the whole page.',
  })
  history(
    @Parent() r: RiskListRowObject,
    @Loaders() loaders: RequestLoaders,
    @Args('days', { type: () => Int, nullable: true, defaultValue: 90 }) days: number,
  ) {
    if (!Number.isInteger(days) || days < 1 || days > 365)
      throw badInput('days', 'must be from 1 to 365');
    return loaders.get(RiskRowLoaders).history(days).load(r.customerId);
  }

  @ResolveField(() => GraphQLISODateTime, {
    nullable: true,
    description:
      'Last contact: the latest ticket opened, message on its tickets (either direction) or outreach logged (completed follow-up); null when none.',
  })
  lastContactAt(@Parent() r: RiskListRowObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(RiskRowLoaders).lastContact.load(r.customerId);
  }
}
