import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import {
  cliArgs,
  loadConfig,
  PlatformModule,
  prepareDatabase,
  runCli,
  UsageError,
} from '@staydesk/core';
import { IdentityModule, IdentityService, ROLES, Role } from '@staydesk/identity';

const USAGE =
  'usage: npm run user:create -- --email a@b.c --role admin [--name "Ada Admin"] [--team-id 3] (password from STAYDESK_PASSWORD or prompted)';

/** `npm run user:create`: makes a user (the first admin, typically) through the same service as the api. */
async function main() {
  const { values } = cliArgs({
    args: process.argv.slice(2),
    options: {
      help: { type: 'boolean', short: 'h' },
      email: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      'team-id': { type: 'string' },
      password: { type: 'string' },
    },
  });
  if (!values.email || !values.role) throw new UsageError(USAGE);
  if (!ROLES.includes(values.role as Role))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const password =
    values.password ??
    process.env.STAYDESK_PASSWORD ??
    (await prompt('password (10+ characters): '));
  const config = loadConfig(process.env);
  await prepareDatabase(config);

  @Module({
    imports: [PlatformModule.forRoot(config, { logging: false, queues: false }), IdentityModule],
  })
  class CliModule {}
  const app = await NestFactory.createApplicationContext(CliModule, { logger: false });
  try {
    const user = await app.get(IdentityService).createUser(null, {
      email: values.email,
      name: values.name ?? values.email.split('@')[0],
      password,
      role: values.role as Role,
      teamId: values['team-id'] ?? null,
    });
    console.log(`created ${user.role} ${user.email} (id ${user.id})`);
  } finally {
    await app.close();
  }
}

function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!process.stdin.isTTY)
      return reject(new UsageError('no password: set STAYDESK_PASSWORD or pass --password'));
    process.stdout.write(question);
    let input = '';
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', (buf) => {
      const ch = buf.toString('utf8');
      if (ch === '\r' || ch === '\n') {
        process.stdin.setRawMode(false);
        process.stdin.pause();
        process.stdout.write('\n');
        resolve(input);
      } else if (ch === '\u0003') {
        process.exit(130);
      } else if (ch === '\u007f') {
        input = input.slice(0, -1);
      } else {
        input += ch;
      }
    });
  });
}

runCli('user:create', USAGE, main);
