/**
 * Fault-injection tests (`npm run test:faults`): real api/worker processes from dist/ against
 * private PostgreSQL and Redis servers that the tests kill and restart. Kept out of `npm test`
 * (they take a couple of minutes); `.ci/run` runs them after it. Run in band: they measure time.
 */
const base = require('./jest.config.js').projects[1];

module.exports = {
  ...base,
  displayName: 'faults',
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 180_000,
  slowTestThreshold: 60,
};
