import {
  Field,
  GraphQLISODateTime,
  ID,
  ObjectType,
  Parent,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { TransactionRunner } from '@staydesk/core';
import { RiskFactorObject } from './risk.object';
import { RiskEvidenceRepository } from './risk-evidence.repository';

@ObjectType('RiskEvidence', {
  description:
    "A ticket, survey answer or message behind a risk factor, with the factor's own definition (docs/risk-model.md) as of the score's time.",
})
export class RiskEvidenceObject {
  @Field({ description: 'ticket, survey or message.' }) kind!: string;
  @Field(() => ID, { description: 'Id of the ticket, survey or message.' }) id!: string;
  @Field(() => ID, { nullable: true }) ticketId!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) at!: Date | null;
  @Field({
    description: 'What it shows, in words (e.g. "CSAT 2/5", "first response target missed: …").',
  })
  detail!: string;
}

/** A factor as the risk resolver hands it out: with its customer and the score's time. */
export interface FactorWithContext extends RiskFactorObject {
  customerId?: string;
  asOf?: Date;
}

@Resolver(() => RiskFactorObject)
export class RiskFactorEvidenceResolver {
  constructor(
    private readonly repo: RiskEvidenceRepository,
    private readonly tx: TransactionRunner,
  ) {}

  @ResolveField(() => [RiskEvidenceObject], {
    description:
      'The tickets, survey answers or messages behind this factor (newest first, at most 50): e.g. the breached tickets of sla_breaches, the ratings of low_csat. Empty for factors on account facts (renewal_soon, short_tenure).',
  })
  evidence(@Parent() f: FactorWithContext) {
    if (!f.customerId || !f.asOf || !this.repo.has(f.name)) return [];
    return this.repo.evidence(this.tx.db, f.customerId, f.name, f.asOf);
  }
}
