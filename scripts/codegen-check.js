/**
 * `npm run codegen:check` (part of `npm test`): regenerates the web console's typed GraphQL
 * documents into a temporary folder and fails when apps/web/src/gql differs, i.e. when
 * schema.graphql or an operation changed and `npm run codegen` was not run.
 */
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const committed = join(root, 'apps/web/src/gql');
const out = mkdtempSync(join(tmpdir(), 'staydesk-codegen-'));
try {
  const bin = join(root, 'node_modules/.bin');
  execFileSync(join(bin, 'graphql-codegen'), ['--config', 'apps/web/codegen.cjs', '--silent'], {
    cwd: root,
    env: { ...process.env, CODEGEN_OUT: `${out}/` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const names = new Set([...readdirSync(out), ...readdirSync(committed)]);
  const stale = [...names].filter((name) => {
    try {
      return readFileSync(join(out, name), 'utf8') !== readFileSync(join(committed, name), 'utf8');
    } catch {
      return true;
    }
  });
  if (stale.length > 0) {
    console.error(
      `codegen:check: apps/web/src/gql is stale (${stale.join(', ')}): run "npm run codegen" and commit the result`,
    );
    process.exit(1);
  }
  console.log('codegen:check: generated GraphQL types are current');
} finally {
  rmSync(out, { recursive: true, force: true });
}
