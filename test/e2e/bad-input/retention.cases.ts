import { Case, Ids, INPUT } from './case';

/** Bad input to the mutations of the retention desk and follow-ups. */
export function retentionCases(ids: Ids): Record<string, Case[]> {
  const t = ids.ticket;
  return {
    cancelFollowUp: [
      {
        name: 'unknown id',
        query: `mutation { cancelFollowUp(id: "999999999") { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'reason > 5000',
        query: `mutation($r: String) { cancelFollowUp(id: "${ids.followUp}", reason: $r) { id } }`,
        variables: { r: 'r'.repeat(5001) },
        code: INPUT,
      },
    ],
    completeFollowUp: [
      {
        name: 'empty outcome',
        query: `mutation { completeFollowUp(id: "${ids.followUp}", outcome: "") { id } }`,
        code: INPUT,
      },
      {
        name: 'outcome > 5000',
        query: `mutation($o: String!) { completeFollowUp(id: "${ids.followUp}", outcome: $o) { id } }`,
        variables: { o: 'o'.repeat(5001) },
        code: INPUT,
      },
    ],
    createFollowUp: [
      {
        name: 'neither ticket nor customer',
        query: `mutation { createFollowUp(input: { kind: custom, dueAt: "2027-01-01T00:00:00Z" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'invalid date',
        query: `mutation { createFollowUp(input: { ticketId: "${t}", kind: custom, dueAt: "yesterday-ish" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'unknown ticket',
        query: `mutation { createFollowUp(input: { ticketId: "999999999", kind: custom, dueAt: "2027-01-01T00:00:00Z" }) { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    rescheduleFollowUp: [
      {
        name: 'not a date',
        query: `mutation { rescheduleFollowUp(id: "${ids.followUp}", dueAt: "soon") { id } }`,
        code: INPUT,
      },
      {
        name: 'year 275760+',
        query: `mutation { rescheduleFollowUp(id: "${ids.followUp}", dueAt: "999999-01-01T00:00:00Z") { id } }`,
        code: INPUT,
      },
    ],
    snoozeCustomer: [
      {
        name: 'zero days',
        query: `mutation { snoozeCustomer(customerId: "${ids.customer}", days: 0, reason: "busy") { until } }`,
        code: INPUT,
        message: /days/,
      },
      {
        name: 'blank reason',
        query: `mutation { snoozeCustomer(customerId: "${ids.customer}", days: 7, reason: "  ") { until } }`,
        code: INPUT,
        message: /reason/,
      },
      {
        name: 'unknown customer',
        query: `mutation { snoozeCustomer(customerId: "999999999", days: 7, reason: "busy") { until } }`,
        code: 'NOT_FOUND',
      },
    ],
    unsnoozeCustomer: [
      {
        name: 'not snoozed',
        query: `mutation { unsnoozeCustomer(customerId: "${ids.customer}") }`,
        code: INPUT,
        message: /not snoozed/,
      },
    ],
    logOutreach: [
      {
        name: 'blank note',
        query: `mutation { logOutreach(customerId: "${ids.customer}", note: " ") { next { id } } }`,
        code: INPUT,
        message: /note/,
      },
      {
        name: 'next follow-up in the past',
        query: `mutation { logOutreach(customerId: "${ids.customer}", note: "called", nextFollowUpAt: "2020-01-01T00:00:00Z") { next { id } } }`,
        code: INPUT,
        message: /future/,
      },
    ],
    markChurned: [
      {
        name: 'blank reason',
        query: `mutation { markChurned(customerId: "${ids.customer}", reason: "") { id } }`,
        code: INPUT,
      },
      {
        name: 'unknown customer',
        query: `mutation { markChurned(customerId: "999999999", reason: "price") { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    markRetained: [
      {
        name: 'blank note',
        query: `mutation { markRetained(customerId: "${ids.customer}", note: "") { id } }`,
        code: INPUT,
      },
    ],
  };
}
