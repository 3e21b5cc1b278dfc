/**
 * The shared vocabulary: the values of the dimensions every domain speaks of (a ticket's channel
 * and priority, a customer's tier, a risk band, a value segment). Defined once here; the
 * domains, the KPI plan, the risk list's filters, the rules, the import and the simulation use
 * these lists, and the GraphQL schema exposes each as one enum (./vocabulary.enums.ts).
 */
export const CHANNELS = ['email', 'phone', 'chat', 'web', 'social'] as const;
export type Channel = (typeof CHANNELS)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const TIERS = ['free', 'starter', 'pro', 'enterprise'] as const;
export type Tier = (typeof TIERS)[number];

/** Churn-risk bands, lowest first. */
export const RISK_BANDS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskBand = (typeof RISK_BANDS)[number];

/** Value segments of a customer, highest first. */
export const VALUE_SEGMENTS = ['top', 'high', 'mid', 'low'] as const;
export type ValueSegment = (typeof VALUE_SEGMENTS)[number];
