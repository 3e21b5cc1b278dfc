import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ConfigError,
  ConfigModule,
  DatabaseModule,
  DatabaseStartupError,
  LoggingModule,
  QueueModule,
  RedisModule,
  loadConfig,
  prepareDatabase,
} from '@staydesk/core';
import { RiskModule, RiskService } from '@staydesk/risk';

/** `npm run risk:rescore [-- --customer ID]`: rescore everyone now (or one customer) and print timings. */
async function main() {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  await prepareDatabase(config);
  const i = process.argv.indexOf('--customer');
  const one = i > 0 ? process.argv[i + 1] : undefined;

  @Module({
    imports: [
      ConfigModule.forRoot(config),
      LoggingModule.forRoot(),
      DatabaseModule,
      RedisModule,
      QueueModule,
      RiskModule,
    ],
  })
  class CliModule {}
  const app = await NestFactory.createApplicationContext(CliModule, { logger: false });
  try {
    const risk = app.get(RiskService);
    if (one) {
      const started = performance.now();
      const s = await risk.rescoreCustomer(one);
      console.log(
        JSON.stringify({
          customerId: one,
          ms: Math.round(performance.now() - started),
          score: s?.score,
          band: s?.band,
          top: s?.factors.slice(0, 3).map((f) => f.label),
        }),
      );
    } else {
      console.log(JSON.stringify(await risk.rescoreAll()));
    }
  } finally {
    await app.close();
  }
}

main().catch((err: Error) => {
  const known = err instanceof ConfigError || err instanceof DatabaseStartupError;
  process.stderr.write(`risk:rescore: ${known ? err.message : err.stack}\n`);
  process.exit(1);
});
