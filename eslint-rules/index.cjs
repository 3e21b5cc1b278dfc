/** The project's own ESLint rules, registered as the plugin `staydesk` in eslint.config.mjs. */
const { ownTables } = require('./own-tables.cjs');
const { ownTablesExceptions } = require('./own-tables-exceptions.cjs');

module.exports = {
  meta: { name: 'staydesk' },
  rules: {
    'own-tables': ownTables,
    'own-tables-exceptions': ownTablesExceptions,
  },
};
