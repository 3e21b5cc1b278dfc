import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { cliArgs, loadConfig, PlatformModule, prepareDatabase, runCli } from '@staydesk/core';
import { RiskModule, RiskService } from '@staydesk/risk';

/** `npm run risk:rescore [-- --customer ID]`: rescore everyone now (or one customer) and print timings. */
const USAGE = 'usage: npm run risk:rescore [-- --customer ID]';

async function main() {
  const { values } = cliArgs({
    args: process.argv.slice(2),
    options: { help: { type: 'boolean', short: 'h' }, customer: { type: 'string' } },
  });
  const one = values.customer;
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  await prepareDatabase(config);

  @Module({
    imports: [PlatformModule.forRoot(config), RiskModule],
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

runCli('risk:rescore', USAGE, main);
