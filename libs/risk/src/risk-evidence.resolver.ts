import {
  Field,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  Parent,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { TransactionRunner } from '@staydesk/core';
import { Actor, CurrentUser, IdentityService } from '@staydesk/identity';
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
  /** One query per factor and request serves both `evidence` and `evidenceHidden`. */
  private readonly loaded = new WeakMap<
    FactorWithContext,
    ReturnType<RiskEvidenceRepository['evidence']>
  >();

  constructor(
    private readonly repo: RiskEvidenceRepository,
    private readonly tx: TransactionRunner,
    private readonly identity: IdentityService,
  ) {}

  private load(f: FactorWithContext, actor: Actor) {
    let p = this.loaded.get(f);
    if (!p) {
      p = this.identity
        .hiddenTeamIds(actor)
        .then((hidden) => this.repo.evidence(this.tx.db, f.customerId!, f.name, f.asOf!, hidden));
      this.loaded.set(f, p);
    }
    return p;
  }

  @ResolveField(() => [RiskEvidenceObject], {
    description:
      'The tickets, survey answers or messages behind this factor (newest first, at most 50; those of private teams the caller is not in are left out, see evidenceHidden): e.g. the breached tickets of sla_breaches, the ratings of low_csat. Empty for factors on account facts (renewal_soon, short_tenure).',
  })
  async evidence(@Parent() f: FactorWithContext, @CurrentUser() actor: Actor) {
    if (!f.customerId || !f.asOf || !this.repo.has(f.name)) return [];
    return (await this.load(f, actor)).rows;
  }

  @ResolveField(() => Int, {
    description:
      "How many items of this factor's evidence are not listed because their ticket belongs to a private team the caller is not in (the factor's value still counts them).",
  })
  async evidenceHidden(@Parent() f: FactorWithContext, @CurrentUser() actor: Actor) {
    if (!f.customerId || !f.asOf || !this.repo.has(f.name)) return 0;
    return (await this.load(f, actor)).hidden;
  }
}
