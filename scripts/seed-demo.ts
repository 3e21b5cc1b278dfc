/**
 * `npm run seed:demo [-- --customers 200 --tickets 5000 --months 12 --seed 42 --force]`
 *
 * Fills an empty database with a small, realistic helpdesk world for demos and local work. The
 * world and its rules live in libs/simulation (see its index.ts); this is only the entry point
 * (scripts/start.ts runs the built file for `npm start -- --demo`).
 */
import { exitSeedDemo, runSeedDemo } from '@staydesk/simulation';
import { runSeedAutomationsDemo } from './seed-automations';

if (require.main === module)
  runSeedDemo(process.argv.slice(2))
    .then(() => runSeedAutomationsDemo(process.argv.slice(2)))
    .catch(exitSeedDemo);
