/**
 * Which library owns each table: the one whose repositories write it. Every other library
 * goes through the owner's exported services (`@staydesk/<owner>`) to change its rows.
 * `staydesk/own-tables` (own-tables.cjs) reports writes from anywhere else.
 *
 * Every table of libs/core/src/database/db.generated.ts must be here (own-tables.spec.ts fails
 * otherwise), so a migration that creates a table also says who owns it. Owners were taken from
 * the migration that creates the table and the library whose repository writes it.
 */
const TABLE_OWNERS = Object.freeze({
  // core: the platform's own records.
  audit_log: 'core', // core/src/audit (AuditRepository)
  worker_heartbeats: 'core', // core/src/system

  outbox: 'outbox',

  // identity: users, teams and sign-in.
  users: 'identity',
  teams: 'identity',
  user_teams: 'identity',
  login_failures: 'identity',
  password_resets: 'identity',

  attachments: 'attachments',

  // customers: accounts, people, churn and MRR history.
  customers: 'customers',
  contacts: 'customers',
  customer_status_changes: 'customers',
  customer_mrr_history: 'customers', // customers/src/mrr-history.ts; value only reads it

  // tickets: the ticket, its conversation, its history, SLA.
  tickets: 'tickets',
  ticket_messages: 'tickets',
  ticket_events: 'tickets',
  sla_policies: 'tickets',

  follow_ups: 'followups',

  // email: the e-mail channel.
  message_mail: 'email',
  inbound_mails: 'email',
  mail_mailboxes: 'email',
  mail_notifications: 'email',

  surveys: 'surveys',

  // automations: rules, macros, views, custom fields.
  automation_rules: 'automations',
  automation_rules_state: 'automations', // bumped by a trigger on automation_rules
  automation_rule_versions: 'automations',
  automation_rule_firings: 'automations',
  automation_mails: 'automations',
  macros: 'automations',
  saved_views: 'automations',
  custom_field_definitions: 'automations',

  // kpis: facts, cells, calendars and the segment-shift queues.
  kpi_ticket_facts: 'kpis',
  kpi_cells: 'kpis',
  kpi_state: 'kpis',
  kpi_calendars: 'kpis',
  kpi_calendar_spans: 'kpis',
  kpi_segment_queue: 'kpis',
  kpi_segment_buckets: 'kpis',

  // risk: scores, models, history.
  risk_scores: 'risk',
  risk_score_history: 'risk',
  risk_score_base: 'risk',
  risk_models: 'risk',
  risk_model_activations: 'risk',
  risk_distribution_bands: 'risk',

  retention_snoozes: 'retention',

  // value: lifetime values and segments.
  customer_values: 'value',
  value_segments: 'value',
  value_segment_bands: 'value',

  // import: runs, rejects, staged events.
  import_runs: 'import',
  import_rejects: 'import',
  import_event_rows: 'import',

  simulation_oracle: 'simulation', // the simulated world's truth, for the risk backtest only
});

module.exports = { TABLE_OWNERS };
