import { registerEnumType } from '@nestjs/graphql';
import { CHANNELS, PRIORITIES, RISK_BANDS, TIERS, VALUE_SEGMENTS } from './vocabulary';

/** A GraphQL enum whose names are the values themselves (`email`, `urgent`, …). */
export const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const ChannelEnum = enumOf(CHANNELS);
registerEnumType(ChannelEnum, { name: 'Channel' });

export const PriorityEnum = enumOf(PRIORITIES);
registerEnumType(PriorityEnum, { name: 'Priority' });

export const TierEnum = enumOf(TIERS);
registerEnumType(TierEnum, { name: 'Tier', description: 'Plan of a customer account.' });

export const BandEnum = enumOf(RISK_BANDS);
registerEnumType(BandEnum, {
  name: 'RiskBand',
  description:
    'Churn-risk band by score: low < 25 ≤ medium < 50 ≤ high < 75 ≤ critical (thresholds configurable with RISK_BANDS).',
});

export const ValueSegmentEnum = enumOf(VALUE_SEGMENTS);
registerEnumType(ValueSegmentEnum, {
  name: 'ValueSegment',
  description:
    "Value segment, placed by lifetime value to date, or by the run rate (current MRR × 6) for an active customer with less than 6 active months when that is higher (see ValueSegmentBasis). Scheme: quartiles of the active customers by that value (top = the highest quarter; bound = the smallest value in each quartile), or the bands an admin set (setValueSegmentScheme; bound = the band's lower bound). Every customer, churned ones too, is in the highest segment whose bound it reaches (below every bound: the lowest). Recomputed by the worker nightly after the risk rescore.",
});
