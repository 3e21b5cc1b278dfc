import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig, runCli } from '@staydesk/core';
import { API_NODE_FLAGS, apiEnv } from '../apps/api/src/node-flags';
import { workerNodeFlags } from '../apps/worker/src/node-flags';
import { migrate } from './migrate';

const USAGE = 'usage: npm start [-- --demo]';

/**
 * `npm start`: the whole product on one machine. Creates the database if missing, applies the
 * migrations, loads demo data with `--demo` (only into an empty database), then runs the api and the worker as two child processes and stops both on Ctrl-C.
 */
async function main() {
  const config = loadConfig(process.env);
  await migrate(config, log);
  const demo = process.argv.includes('--demo') || process.env.DEMO_DATA === '1';
  if (demo) {
    // the seeder leaves a database that already has customers untouched
    await runToEnd(join(__dirname, 'seed-demo.js'));
    // then today's work for the console: open tickets per agent, unassigned ones (idempotent)
    await runToEnd(join(__dirname, 'demo-desk.js'));
  }

  const children: ChildProcess[] = [
    start('api', join(__dirname, '..', 'apps', 'api', 'src', 'main.js'), API_NODE_FLAGS, apiEnv()),
    start('worker', join(__dirname, '..', 'apps', 'worker', 'src', 'main.js'), workerNodeFlags()),
  ];
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    Promise.all(
      children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))),
    ).then(() => process.exit(code));
  };
  for (const c of children) {
    c.once('exit', (code) => {
      if (!stopping) {
        log(`a process exited (code ${code}); stopping the others`);
        stop(code ?? 1);
      }
    });
  }
  process.once('SIGINT', () => stop(0));
  process.once('SIGTERM', () => stop(0));
  // the banner comes last, once the api answers, so a newcomer finds it under the start-up logs
  const ready = await waitUntilReady(`${config.http.publicUrl}/health/ready`, () => stopping);
  if (stopping) return;
  log(
    [
      ready ? 'Staydesk is running:' : 'Staydesk is starting (the api has not answered yet):',
      `  console   ${config.http.publicUrl}/`,
      ...(demo
        ? [
            '            sign in as agent1@demo.staydesk.local (agent), lead.tier1@demo.staydesk.local',
            '            (team lead), am1@demo.staydesk.local (account manager) or',
            '            admin@demo.staydesk.local (admin); password staydesk-demo',
          ]
        : [
            '            no users yet? npm run user:create -- --email you@example.com --role admin',
          ]),
      `  GraphQL   ${config.http.publicUrl}/graphql`,
      `  health    ${config.http.publicUrl}/health/ready`,
      config.email.inboundEnabled
        ? `  mail in   SMTP receiver on ${config.email.inboundHost}:${config.email.inboundPort}`
        : '  mail in   off (INBOUND_SMTP=false)',
      `  mail out  ${config.mail.smtpUrl ? 'SMTP' : `.eml files in ${config.mail.dir}/`}`,
      `  logs      ${childLogLevel} and above (LOG_LEVEL=info for every request)`,
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

/** Polls the readiness endpoint for up to 90 s; false when it never answered 200. */
async function waitUntilReady(url: string, cancelled: () => boolean): Promise<boolean> {
  const until = Date.now() + 90_000;
  while (Date.now() < until && !cancelled()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function runToEnd(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { stdio: 'inherit' });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`demo data failed (exit ${code})`)),
    );
  });
}

function log(msg: string) {
  process.stdout.write(`[staydesk] ${msg}\n`);
}

/** `npm start` is for people: warnings and errors only, unless LOG_LEVEL says otherwise. */
const childLogLevel = process.env.LOG_LEVEL ?? 'warn';

function start(
  name: string,
  file: string,
  nodeFlags: string[] = [],
  env: Record<string, string> = {},
): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, file], {
    env: { ...process.env, ...env, MIGRATIONS_RUN: 'false', LOG_LEVEL: childLogLevel },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

runCli('staydesk', USAGE, main);
