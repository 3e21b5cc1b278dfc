import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { SystemService } from '@staydesk/core';

/**
 * `/health/live`: the process is up (no dependencies checked; restart it if this fails).
 * `/health/ready`: PostgreSQL and Redis answer (take it out of the load balancer if not).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly system: SystemService,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.probe('database', () => this.system.checkDatabase()),
      () => this.probe('redis', () => this.system.checkRedis()),
    ]);
  }

  private async probe(key: string, check: () => Promise<void>) {
    const indicator = this.indicator.check(key);
    const started = performance.now();
    try {
      await check();
      return indicator.up({ latencyMs: Math.round(performance.now() - started) });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}
