import 'reflect-metadata';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Field, GraphQLModule, ObjectType, Query, Resolver } from '@nestjs/graphql';
import autocannon from 'autocannon';

/**
 * `npm run bench:adapters`: Apollo on Nest's Express adapter vs Fastify adapter, the same
 * in-memory `{ health { status } }` query, 50 connections, alternating runs, medians.
 * The figure behind the adapter choice in docs/decisions.md.
 */
@ObjectType()
class BenchHealth {
  @Field() status!: string;
  @Field() uptime!: number;
}

@Resolver()
class BenchResolver {
  @Query(() => BenchHealth)
  health(): BenchHealth {
    return { status: 'ok', uptime: process.uptime() };
  }
}

@Module({
  imports: [
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      autoSchemaFile: true,
      playground: false,
    }),
  ],
  providers: [BenchResolver],
})
class BenchModule {}

async function boot(kind: 'express' | 'fastify'): Promise<INestApplication> {
  const adapter = kind === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(BenchModule, adapter as never, { logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

async function measure(url: string, seconds: number) {
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections: 50,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ health { status uptime } }' }),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchAdapters(rounds = 3, seconds = 8) {
  const runs: Record<'express' | 'fastify', { rps: number; p99: number }[]> = {
    express: [],
    fastify: [],
  };
  for (let i = 0; i < rounds; i++) {
    for (const kind of ['express', 'fastify'] as const) {
      const app = await boot(kind);
      await measure(await app.getUrl(), 2); // warm-up
      runs[kind].push(await measure(await app.getUrl(), seconds));
      await app.close();
    }
  }
  const summary = (kind: 'express' | 'fastify') => ({
    rps: Math.round(median(runs[kind].map((r) => r.rps))),
    p99: median(runs[kind].map((r) => r.p99)),
  });
  return { express: summary('express'), fastify: summary('fastify'), rounds, seconds };
}

if (require.main === module) {
  benchAdapters(Number(process.env.ROUNDS ?? 3), Number(process.env.SECONDS ?? 8)).then((r) => {
    console.log(JSON.stringify(r));
    console.log(`fastify / express throughput: ${(r.fastify.rps / r.express.rps).toFixed(2)}x`);
  });
}
