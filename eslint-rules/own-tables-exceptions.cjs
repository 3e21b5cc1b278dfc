/**
 * `staydesk/own-tables-exceptions`: an exception to `staydesk/own-tables` covers one statement
 * and says why: `// eslint-disable-next-line staydesk/own-tables -- <reason>` (or
 * `eslint-disable-line`). A file-wide or ranged `eslint-disable` of the rule, or one without a
 * reason, is reported. A separate rule, so that disabling own-tables does not silence it.
 * A directive that names no rules disables own-tables too, so it is held to the same terms.
 */
const RULE = 'staydesk/own-tables';
const DIRECTIVE = /^\s*(eslint-disable(?:-next-line|-line)?)(?=\s|$)([\s\S]*)$/;

/** @type {import('eslint').Rule.RuleModule} */
const ownTablesExceptions = {
  meta: {
    type: 'problem',
    docs: {
      description: `An exception to ${RULE} is one line and gives its reason.`,
    },
    schema: [],
    messages: {
      wide: `Disable ${RULE} for one statement only: \`// eslint-disable-next-line ${RULE} -- <reason>\` on the line above it.`,
      reason: `Say why this write to another library's table is an exception: \`// eslint-disable-next-line ${RULE} -- <reason>\`.`,
    },
  },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const m = DIRECTIVE.exec(comment.value);
          if (!m) continue;
          const kind = m[1];
          const [ruleList, ...reasonParts] = m[2].split(/\s--\s|\s--$/);
          const rules = ruleList
            .split(',')
            .map((r) => r.trim())
            .filter((r) => r !== '');
          if (rules.length > 0 && !rules.includes(RULE)) continue;
          if (kind === 'eslint-disable') {
            context.report({ loc: comment.loc, messageId: 'wide' });
          } else if (reasonParts.join(' -- ').trim() === '') {
            context.report({ loc: comment.loc, messageId: 'reason' });
          }
        }
      },
    };
  },
};

module.exports = { ownTablesExceptions };
