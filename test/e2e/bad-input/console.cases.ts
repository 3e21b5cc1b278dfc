import { Case, Ids, SQL, INPUT, INVALID } from './case';

/** Bad input to the mutations of automation rules, saved views and imports. */
export function consoleCases(_ids: Ids): Record<string, Case[]> {
  return {
    startImport: [
      {
        name: 'neither path nor content',
        query: `mutation { startImport(input: { kind: customers }) { id } }`,
        code: INPUT,
        message: /path|content/,
      },
      {
        name: 'a mapped column missing from the header',
        query: `mutation { startImport(input: { kind: customers, content: "name,tier\\nAcme,pro\\n", mapping: { columns: { external_id: "Account" } } }) { id } }`,
        code: INPUT,
        message: /Account/,
      },
      {
        name: 'unknown kind',
        query: `mutation { startImport(input: { kind: invoices, content: "a" }) { id } }`,
        code: INVALID,
      },
    ],
    createAutomationRule: [
      {
        name: 'unknown condition field',
        query: `mutation { createAutomationRule(input: { name: "R", trigger: ticket_created, conditions: [{ field: "colour", operator: "is", values: ["red"] }], actions: { addTags: ["x"] } }) { id } }`,
        code: INPUT,
        message: /conditions\[0\]\.field/,
      },
      {
        name: 'no action',
        query: `mutation { createAutomationRule(input: { name: "R", trigger: ticket_created, actions: {} }) { id } }`,
        code: INPUT,
        message: /action/,
      },
      {
        name: 'clock on a change rule',
        query: `mutation { createAutomationRule(input: { name: "R", trigger: ticket_updated, conditions: [{ field: "pending_hours", operator: "at_least", values: ["3"] }], actions: { addTags: ["x"] } }) { id } }`,
        code: INPUT,
        message: /time-based/,
      },
    ],
    updateAutomationRule: [
      {
        name: 'unknown rule',
        query: `mutation { updateAutomationRule(id: "999999999", input: { name: "R", trigger: ticket_created, actions: { addTags: ["x"] } }) { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    deleteAutomationRule: [
      {
        name: 'unknown rule',
        query: `mutation { deleteAutomationRule(id: "999999999") }`,
        code: 'NOT_FOUND',
      },
    ],
    reorderAutomationRules: [
      {
        name: 'not the whole list',
        query: `mutation { reorderAutomationRules(trigger: time, ids: ["999999999"]) { id } }`,
        code: INPUT,
        message: /exactly once/,
      },
    ],
    createSavedView: [
      {
        name: 'empty name',
        query: `mutation { createSavedView(input: { name: " " }) { id } }`,
        code: INPUT,
        message: /name/,
      },
      {
        name: 'dates reversed in the filter',
        query: `mutation { createSavedView(input: { name: "V", filter: { createdFrom: "2026-02-01T00:00:00Z", createdTo: "2026-01-01T00:00:00Z" } }) { id } }`,
        code: INPUT,
        message: /filter.createdTo/,
      },
      {
        name: 'unknown team',
        query: `mutation { createSavedView(input: { name: "V", teamId: "999999999" }) { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    updateSavedView: [
      {
        name: 'unknown view',
        query: `mutation { updateSavedView(id: "999999999", input: { name: "V" }) { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    deleteSavedView: [
      {
        name: 'unknown view',
        query: `mutation { deleteSavedView(id: "999999999") }`,
        code: 'NOT_FOUND',
      },
      { name: 'malformed id', query: `mutation { deleteSavedView(id: "${SQL}") }`, code: INPUT },
    ],
    reorderSavedViews: [
      {
        name: 'not the whole group',
        query: `mutation { reorderSavedViews(ids: ["999999999"]) }`,
        code: INPUT,
        message: /exactly once/,
      },
    ],
  };
}
