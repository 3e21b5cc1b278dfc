/**
 * `staydesk/own-tables`: a library writes only the tables it owns (table-owners.cjs); a write
 * to another library's table goes through that library's exported service instead (issue 21).
 *
 * Looks at the statements a file can send, not at how they are sent:
 * - SQL in string and template literals (so also Kysely's `sql` tagged templates and
 *   `sql.raw('…')`): INSERT INTO t, UPDATE [ONLY] t [[AS] a] SET, DELETE FROM [ONLY] t,
 *   TRUNCATE [TABLE] t[, u…], COPY t [(…)] FROM, MERGE INTO t; any case, any whitespace,
 *   schema-qualified and quoted names. `ON CONFLICT … DO UPDATE SET`, `FOR [NO KEY] UPDATE` and
 *   `UPDATE` without its `SET` are not writes to a named table.
 * - Kysely's builder: `.insertInto('x')`, `.updateTable('x')`, `.deleteFrom('x')`,
 *   `.mergeInto('x')`, with CamelCasePlugin names (`ticketEvents` = `ticket_events`), aliases
 *   (`'tickets as t'`) and arrays of names.
 *
 * Names that are not tables (CTEs, temporary and staging tables, interpolated names) are not in
 * the owner map and are not reported. The library is read from the path (`libs/<lib>/src/…`);
 * the config decides which files are checked (production code, not specs or tests).
 *
 * The one exception: `// eslint-disable-next-line staydesk/own-tables -- <reason>` on the line
 * above the literal or the builder call (see own-tables-exceptions.cjs). There is no allow-list.
 */
const { TABLE_OWNERS } = require('./table-owners.cjs');

const IDENT = String.raw`"?[A-Za-z_][A-Za-z0-9_$]*"?`;
/** An optionally schema-qualified name; the group captures the table. */
const QNAME = String.raw`(?:${IDENT}\s*\.\s*)?(${IDENT})`;
/** The same without a group, for lists. */
const QNAME_NC = String.raw`(?:${IDENT}\s*\.\s*)?${IDENT}`;

const WRITES = [
  { verb: 'INSERT', re: new RegExp(String.raw`\binsert\s+into\s+${QNAME}`, 'gid') },
  {
    verb: 'UPDATE',
    re: new RegExp(
      // Not the `DO UPDATE` of an upsert, nor a `FOR [NO KEY] UPDATE` lock; an UPDATE of a
      // table always has its SET after the name and an optional alias.
      String.raw`(?<!\b(?:do|for|key)\s+)\bupdate\s+(?:only\s+)?${QNAME}(?:\s*\*)?(?:\s+(?:as\s+)?(?!set\b)${IDENT})?\s+set\b`,
      'gid',
    ),
  },
  { verb: 'DELETE', re: new RegExp(String.raw`\bdelete\s+from\s+(?:only\s+)?${QNAME}`, 'gid') },
  { verb: 'MERGE', re: new RegExp(String.raw`\bmerge\s+into\s+(?:only\s+)?${QNAME}`, 'gid') },
  {
    verb: 'COPY',
    re: new RegExp(String.raw`\bcopy\s+${QNAME}\s*(?:\([^)]*\))?\s*from\b`, 'gid'),
  },
];

const TRUNCATE = new RegExp(
  String.raw`\btruncate\s+(?:table\s+)?((?:only\s+)?${QNAME_NC}(?:\s*\*)?(?:\s*,\s*(?:only\s+)?${QNAME_NC}(?:\s*\*)?)*)`,
  'gid',
);
const LIST_ITEM = new RegExp(String.raw`(?:only\s+)?${QNAME}`, 'gid');

/** A name as PostgreSQL folds it: quotes dropped, lower case. */
function tableName(quoted) {
  return quoted.replace(/"/g, '').toLowerCase();
}

/**
 * The tables `text` writes, with the offset of each name. `text` is SQL, or anything else (then
 * the answer is usually empty).
 *
 * @param {string} text
 * @returns {{ verb: string, table: string, index: number }[]}
 */
function findWrites(text) {
  const found = [];
  for (const { verb, re } of WRITES) {
    for (const m of text.matchAll(re)) {
      found.push({ verb, table: tableName(m[1]), index: m.indices[1][0] });
    }
  }
  for (const m of text.matchAll(TRUNCATE)) {
    const listStart = m.indices[1][0];
    for (const item of m[1].matchAll(LIST_ITEM)) {
      found.push({
        verb: 'TRUNCATE',
        table: tableName(item[1]),
        index: listStart + item.indices[1][0],
      });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/** Kysely's CamelCasePlugin name of a table, back to the table: `ticketEvents` → `ticket_events`. */
function snakeCase(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The table of a builder argument: `'public.ticketEvents as e'` → `ticket_events`. */
function builderTable(arg) {
  const first = arg.trim().split(/\s+/)[0] ?? '';
  const name = first.split('.').pop() ?? '';
  return snakeCase(name.replace(/"/g, ''));
}

const BUILDER_WRITES = new Set(['insertInto', 'updateTable', 'deleteFrom', 'mergeInto']);

/** `libs/<lib>/src/…` → `<lib>`; anything else → undefined. */
function libraryOf(filename) {
  const m = /(?:^|[\\/])libs[\\/]([^\\/]+)[\\/]src[\\/]/.exec(filename);
  return m ? m[1] : undefined;
}

/**
 * The source of a literal with everything that is not literal text blanked, at the same
 * offsets: quotes and `${…}` delimiters become spaces, interpolated expressions underscores (an
 * identifier that is no table), escaped whitespace (`\n`, `\t`) spaces.
 */
function scanText(sourceText, node) {
  const [start, end] = node.range;
  const chars = sourceText.slice(start, end).split('');
  chars[0] = ' ';
  chars[chars.length - 1] = ' ';
  if (node.type === 'TemplateLiteral') {
    const isText = new Array(chars.length).fill(false);
    for (const q of node.quasis) {
      // A quasi's range starts at its opening delimiter (` or }) in both parsers we use.
      const at = sourceText.startsWith(q.value.raw, q.range[0] + 1) ? q.range[0] + 1 : q.range[0];
      for (let i = at - start; i < at - start + q.value.raw.length; i++) isText[i] = true;
    }
    for (let i = 0; i < chars.length; i++) if (!isText[i]) chars[i] = ' ';
    for (const e of node.expressions) {
      for (let i = e.range[0] - start; i < e.range[1] - start; i++) chars[i] = '_';
    }
  }
  return chars.join('').replace(/\\[nrtvf]/g, '  ');
}

/** @type {import('eslint').Rule.RuleModule} */
const ownTables = {
  meta: {
    type: 'problem',
    docs: {
      description:
        "A library writes only its own tables (eslint-rules/table-owners.cjs); other libraries' tables through their services.",
    },
    schema: [],
    messages: {
      foreign:
        'libs/{{lib}} writes `{{table}}` ({{verb}}), a table of libs/{{owner}}: change it through libs/{{owner}}, or explain the exception with `// eslint-disable-next-line staydesk/own-tables -- <reason>`.',
    },
  },
  create(context) {
    const lib = libraryOf(context.physicalFilename ?? context.filename);
    if (lib === undefined) return {};
    const sourceCode = context.sourceCode;

    function check(node, table, verb) {
      const owner = Object.prototype.hasOwnProperty.call(TABLE_OWNERS, table)
        ? TABLE_OWNERS[table]
        : undefined;
      if (owner === undefined || owner === lib) return;
      // Reported where the literal starts, so the exception comment can sit on the line above
      // (a comment cannot go inside a multi-line template).
      context.report({ node, messageId: 'foreign', data: { lib, table, verb, owner } });
    }

    function checkSql(node) {
      for (const { verb, table } of findWrites(scanText(sourceCode.text, node))) {
        check(node, table, verb);
      }
    }

    return {
      Literal(node) {
        if (typeof node.value === 'string') checkSql(node);
      },
      TemplateLiteral: checkSql,
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type !== 'MemberExpression' || callee.computed) return;
        if (callee.property.type !== 'Identifier' || !BUILDER_WRITES.has(callee.property.name)) {
          return;
        }
        const verb = callee.property.name;
        const arg = node.arguments[0];
        const names = arg && arg.type === 'ArrayExpression' ? arg.elements : [arg];
        for (const n of names) {
          if (!n) continue;
          if (n.type === 'Literal' && typeof n.value === 'string') {
            check(n, builderTable(n.value), verb);
          } else if (n.type === 'TemplateLiteral' && n.expressions.length === 0) {
            check(n, builderTable(n.quasis[0].value.cooked ?? ''), verb);
          }
        }
      },
    };
  },
};

module.exports = { ownTables, findWrites, builderTable, libraryOf };
