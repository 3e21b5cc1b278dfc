import { Case, Ids, BAD_CURSOR, INPUT } from './case';

/** Bad arguments to queries: pages, cursors, search text, filters. */
export function queryCases(ids: Ids): Case[] {
  return [
    {
      name: 'page size 0',
      query: `{ tickets(first: 0) { edges { cursor } } }`,
      code: INPUT,
      message: /first/,
    },
    {
      name: 'negative page size',
      query: `{ customers(first: -5) { edges { cursor } } }`,
      code: INPUT,
    },
    {
      name: 'page size 1,000,000',
      query: `{ tickets(first: 1000000) { edges { cursor } } }`,
      code: INPUT,
    },
    {
      name: 'malformed cursor',
      query: `{ tickets(after: "${BAD_CURSOR}") { edges { cursor } } }`,
      code: INPUT,
      message: /cursor/,
    },
    {
      name: 'cursor of another list',
      query: `query($a: String) { customers(after: $a) { edges { cursor } } }`,
      variables: { a: ids.ticketCursor },
      code: INPUT,
    },
    {
      name: 'malformed messages cursor',
      query: `{ ticket(id: "${ids.ticket}") { messages(after: "%%%") { edges { cursor } } } }`,
      code: INPUT,
    },
    {
      name: 'search > 200 chars',
      query: `query($s: String) { tickets(filter: { search: $s }) { edges { cursor } } }`,
      variables: { s: 'x'.repeat(201) },
      code: INPUT,
    },
    { name: 'unknown ticket', query: `{ ticket(id: "999999999") { id } }`, code: 'NOT_FOUND' },
    {
      name: 'NUL in search',
      query: `query($s: String) { customers(filter: { search: $s }) { edges { cursor } } }`,
      variables: { s: 'a\u0000b' },
      code: INPUT,
      message: /NUL/,
    },
    {
      name: 'dueWithinMinutes negative',
      query: `{ tickets(filter: { dueWithinMinutes: -3 }) { edges { cursor } } }`,
      code: INPUT,
    },
    { name: 'macros page 0', query: `{ macros(first: 0) { id } }`, code: INPUT, message: /first/ },
    {
      name: 'macros search > 200 chars',
      query: `query($s: String) { macros(search: $s) { id } }`,
      variables: { s: 'x'.repeat(201) },
      code: INPUT,
    },
    {
      name: 'preview of an unknown macro',
      query: `{ previewMacro(ticketId: "${ids.ticket}", macroId: "999999999") { reply } }`,
      code: 'NOT_FOUND',
    },
    {
      name: 'dates reversed',
      query: `{ tickets(filter: { createdFrom: "2026-02-01T00:00:00Z", createdTo: "2026-01-01T00:00:00Z" }) { edges { cursor } } }`,
      code: INPUT,
    },
  ];
}
