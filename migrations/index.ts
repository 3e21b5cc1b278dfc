import { Platform1763900000000 } from './1763900000000-platform';
import { SupportDesk1763900100000 } from './1763900100000-support-desk';
import { OutboxSurveys1763900200000 } from './1763900200000-outbox-surveys';
import { Risk1763900300000 } from './1763900300000-risk';
import { Retention1763900400000 } from './1763900400000-retention';
import { Import1763900500000 } from './1763900500000-import';
import { Privacy1763900600000 } from './1763900600000-privacy';
import { RiskScale1763900700000 } from './1763900700000-risk-scale';
import { RevenueAtRisk1763900800000 } from './1763900800000-revenue-at-risk';
import { KpiSurveyIndexes1763900900000 } from './1763900900000-kpi-survey-indexes';
import { QueueIndexes1763901000000 } from './1763901000000-queue-indexes';
import { NoteSearch1764100000000 } from './1764100000000-note-search';
import { SignInHardening1764100100000 } from './1764100100000-sign-in-hardening';
import { ImportLateLogs1764200000000 } from './1764200000000-import-late-logs';
import { OutboxTraceContext1764600000000 } from './1764600000000-outbox-trace-context';
import { LifetimeValue1764700000000 } from './1764700000000-lifetime-value';
import { KpiRevenueWeightedCsat1764700100000 } from './1764700100000-kpi-revenue-weighted-csat';
import { RiskBandsOracle1764800000000 } from './1764800000000-risk-bands-oracle';
import { RiskDistributionBands1764800100000 } from './1764800100000-risk-distribution-bands';
import { EmailChannel1764300000000 } from './1764300000000-email-channel';
import { Attachments1764300100000 } from './1764300100000-attachments';
import { ImapMailboxes1764300200000 } from './1764300200000-imap-mailboxes';
import { Automations1764900000000 } from './1764900000000-automations';
import { SlaPause1764900100000 } from './1764900100000-sla-pause';
import { MailDelivery1765500000000 } from './1765500000000-mail-delivery';
import { TeamHolidays1765300000000 } from './1765300000000-team-holidays';
import { AutomationRules1765400000000 } from './1765400000000-automation-rules';
import { CustomFields1765400100000 } from './1765400100000-custom-fields';
import { KpiValueSegments1765700000000 } from './1765700000000-kpi-value-segments';
import { RiskHistoryCovering1765700100000 } from './1765700100000-risk-history-covering';
import { RiskScoreChangeBase1765700200000 } from './1765700200000-risk-score-change-base';
import { NextReplySla1765800000000 } from './1765800000000-next-reply-sla';
import { ValueSegmentBands1765810000000 } from './1765810000000-value-segment-bands';
import { TeamMemberships1765910000000 } from './1765910000000-team-memberships';
import { AutomationRulesVersion1765950000000 } from './1765950000000-automation-rules-version';
import { CustomerCustomFieldsIndex1765950100000 } from './1765950100000-customer-custom-fields-index';
import { CustomersDomainLowerIndex1766000000000 } from './1766000000000-customers-domain-lower-index';
import { KpiCsatAnswersCovering1766100000000 } from './1766100000000-kpi-csat-answers-covering';
import { TicketsCreatedCovering1766140000000 } from './1766140000000-tickets-created-covering';
import { KpiSegmentBackfill1766200000000 } from './1766200000000-kpi-segment-backfill';
import { RulesVersionMemberships1765990000000 } from './1765990000000-rules-version-memberships';

/**
 * Every migration, oldest first. The api, the worker, the CLI and the tests all read this
 * list (no file globbing), so a build knows exactly which schema it was made for.
 * After `npm run migration:generate -- migrations/<Name>`, add the new class here.
 */
export const MIGRATIONS = [
  Platform1763900000000,
  SupportDesk1763900100000,
  OutboxSurveys1763900200000,
  Risk1763900300000,
  Retention1763900400000,
  Import1763900500000,
  Privacy1763900600000,
  RiskScale1763900700000,
  RevenueAtRisk1763900800000,
  KpiSurveyIndexes1763900900000,
  QueueIndexes1763901000000,
  NoteSearch1764100000000,
  SignInHardening1764100100000,
  ImportLateLogs1764200000000,
  OutboxTraceContext1764600000000,
  LifetimeValue1764700000000,
  KpiRevenueWeightedCsat1764700100000,
  RiskBandsOracle1764800000000,
  RiskDistributionBands1764800100000,
  EmailChannel1764300000000,
  Attachments1764300100000,
  ImapMailboxes1764300200000,
  Automations1764900000000,
  SlaPause1764900100000,
  MailDelivery1765500000000,
  TeamHolidays1765300000000,
  AutomationRules1765400000000,
  CustomFields1765400100000,
  KpiValueSegments1765700000000,
  RiskHistoryCovering1765700100000,
  RiskScoreChangeBase1765700200000,
  NextReplySla1765800000000,
  ValueSegmentBands1765810000000,
  TeamMemberships1765910000000,
  AutomationRulesVersion1765950000000,
  CustomerCustomFieldsIndex1765950100000,
  RulesVersionMemberships1765990000000,
  CustomersDomainLowerIndex1766000000000,
  KpiCsatAnswersCovering1766100000000,
  TicketsCreatedCovering1766140000000,
  KpiSegmentBackfill1766200000000,
];
