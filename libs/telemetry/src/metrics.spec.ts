import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import {
  Metrics,
  addMetricsSource,
  collectRuntimeMetrics,
  metricFamilyNames,
  metricsRegistry,
  timeJob,
} from './metrics';

const ROOT = join(__dirname, '..', '..', '..');

/** Metric names an expression uses (histogram series suffixes folded to their family). */
const known = (name: string) =>
  metricFamilyNames().includes(name) || metricsRegistry.getSingleMetric(name) !== undefined;

function familiesIn(expr: string): string[] {
  const names = expr.match(/\b(staydesk|nodejs|process)_[a-z0-9_]+/g) ?? [];
  return names.map((n) => (known(n) ? n : n.replace(/_(bucket|count|sum)$/, '')));
}

describe('metric families', () => {
  beforeAll(() => collectRuntimeMetrics());

  it('every expression of the alert rules and the Grafana dashboard names an existing family', () => {
    const alerts = load(readFileSync(join(ROOT, 'docker/prometheus/alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const dashboard = JSON.parse(
      readFileSync(join(ROOT, 'docker/grafana/dashboards/staydesk.json'), 'utf8'),
    ) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = [
      ...alerts.groups.flatMap((g) => g.rules.map((r) => r.expr)),
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ];
    expect(exprs.length).toBeGreaterThan(20);
    const missing = exprs.flatMap(familiesIn).filter((n) => !known(n));
    expect([...new Set(missing)]).toEqual([]);
    expect(alerts.groups[0].rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'StaydeskOutboxLagging',
        'StaydeskFailedJobsRising',
        'StaydeskSlaScanNotRun',
        'StaydeskNotReady',
      ]),
    );
  });

  it('the e-mail and live-update families exist at zero before any event', async () => {
    const text = await metricsRegistry.metrics();
    expect(text).toContain('staydesk_inbound_mail_total{result="accepted"} 0');
    expect(text).toContain('staydesk_inbound_mail_total{result="deferred"} 0');
    expect(text).toMatch(/^staydesk_graphql_subscriptions_open 0$/m);
    Metrics.inboundMail.inc({ result: 'accepted' });
    Metrics.subscriptions.inc();
    const after = await metricsRegistry.metrics();
    expect(after).toContain('staydesk_inbound_mail_total{result="accepted"} 1');
    expect(after).toMatch(/^staydesk_graphql_subscriptions_open 1$/m);
    Metrics.subscriptions.dec();
  });

  it('exposes the scrape-time families only while a source feeds them', async () => {
    expect(await metricsRegistry.metrics()).not.toContain('staydesk_outbox_lag_seconds');
    const remove = addMetricsSource('outbox', () => {
      Metrics.outboxLag.set(42);
      Metrics.outboxBacklog.set(7);
    });
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/^staydesk_outbox_lag_seconds 42$/m);
    expect(text).toMatch(/^staydesk_outbox_backlog 7$/m);
    remove();
    expect(await metricsRegistry.metrics()).not.toContain('staydesk_outbox');
  });

  it('times jobs by name and result and stamps the last success', async () => {
    await timeJob('unit.ok', async () => 1);
    await expect(
      timeJob('unit.ok', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const text = await metricsRegistry.metrics();
    expect(text).toContain(
      'staydesk_job_duration_seconds_count{job_name="unit.ok",result="completed"} 1',
    );
    expect(text).toContain(
      'staydesk_job_duration_seconds_count{job_name="unit.ok",result="failed"} 1',
    );
    expect(text).toMatch(/staydesk_job_last_success_timestamp_seconds\{job_name="unit.ok"\} \d/);
  });
});
