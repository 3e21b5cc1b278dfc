import { Pool } from 'pg';
import { loadConfig, prepareDatabase, runCli } from '@staydesk/core';
import { rebuildKpis } from '@staydesk/kpis';

/**
 * `npm run kpi:rebuild`: rebuild every KPI fact and cell from scratch (after a bulk load or an
 * import) and print what was built as one JSON line.
 */
async function main() {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  await prepareDatabase(config);
  const pool = new Pool({ connectionString: config.database.url, max: 1 });
  try {
    console.log(JSON.stringify(await rebuildKpis(pool)));
  } finally {
    await pool.end();
  }
}

runCli('kpi:rebuild', 'usage: kpi:rebuild', main);
