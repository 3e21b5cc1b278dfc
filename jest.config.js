/** Two projects: fast unit tests beside the code, and e2e tests against real PostgreSQL/Redis. */
const fs = require('node:fs');

const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  // swc rewrites the path aliases itself, so they also work in globalSetup (which Jest does not
  // pass through moduleNameMapper).
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        ...swc,
        swcrc: false,
        jsc: {
          ...swc.jsc,
          baseUrl: __dirname,
          paths: {
            '@staydesk/migrations': ['migrations/index.ts'],
            '@staydesk/*': ['libs/*/src/index.ts'],
          },
        },
      },
    ],
  },
  moduleNameMapper: {
    '^@staydesk/migrations$': '<rootDir>/migrations/index.ts',
    '^@staydesk/(.*)$': '<rootDir>/libs/$1/src',
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  // A global option (Jest ignores it inside a project): e2e tests start real processes and wait
  // on queues, so the 5 s default is too short on a loaded 2-core machine.
  testTimeout: 60_000,
  // Two test files at a time, also on 2 cores: most e2e time is waiting (queues, SMTP, the
  // browser, timers), and in band the suite no longer fits CI's 15 minutes (measured: 521 s for
  // the jest part with two workers). Every file has its own database and Redis prefix.
  maxWorkers: 2,
  // One handle that a library keeps open after its test closed everything it knows of (seen with
  // the whole suite, never with a file alone) would keep CI waiting until its time-out. Exit when
  // done.
  forceExit: true,
  projects: [
    {
      ...common,
      displayName: 'unit',
      // eslint-rules/: the project's own lint rules, tested with ESLint's RuleTester.
      testMatch: [
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/eslint-rules/**/*.spec.ts',
      ],
    },
    {
      // Repositories and services against a clone of the migrated template database (no api,
      // worker or Redis): the SQL that matters most, checked where it runs.
      ...common,
      displayName: 'medium',
      testMatch: ['<rootDir>/libs/**/*.medium-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
      slowTestThreshold: 20,
    },
  ],
};
