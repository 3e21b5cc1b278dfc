import { loadConfig } from '@staydesk/core';
import { metricsOnApiPort } from './metrics-http';

describe('where the api serves /metrics', () => {
  const config = (env: Record<string, string>) =>
    loadConfig({ JWT_SECRET: 'x'.repeat(32), ...env });

  it('on its own port outside production, unless METRICS_PORT moves it', () => {
    expect(metricsOnApiPort(config({ NODE_ENV: 'development' }))).toBe(true);
    expect(metricsOnApiPort(config({ NODE_ENV: 'development', METRICS_PORT: '9100' }))).toBe(false);
  });

  it('in production only behind METRICS_TOKEN (or on METRICS_PORT)', () => {
    const prod = { NODE_ENV: 'production', SURVEY_TOKEN_SECRET: 'y'.repeat(32) };
    expect(metricsOnApiPort(config(prod))).toBe(false);
    expect(metricsOnApiPort(config({ ...prod, METRICS_PORT: '9100' }))).toBe(false);
    expect(metricsOnApiPort(config({ ...prod, METRICS_TOKEN: 'z'.repeat(24) }))).toBe(true);
    expect(() => config({ ...prod, METRICS_TOKEN: 'short' })).toThrow(
      'METRICS_TOKEN must be at least 16 characters',
    );
  });
});
