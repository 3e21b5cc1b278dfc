import { Case, Ids, SQL, INPUT, INVALID } from './case';

/** Bad input to the mutations of mailboxes and mail settings. */
export function emailCases(ids: Ids): Record<string, Case[]> {
  return {
    createMailbox: [
      {
        name: 'empty name',
        query: `mutation { createMailbox(input: { name: " ", host: "imap.example.com", port: 993, tls: true, username: "u", password: "p" }) { id } }`,
        code: INPUT,
        message: /name/,
      },
      {
        name: 'port out of range',
        query: `mutation { createMailbox(input: { name: "x", host: "imap.example.com", port: 70000, tls: true, username: "u", password: "p" }) { id } }`,
        code: INPUT,
        message: /port/,
      },
      {
        name: 'host with a path',
        query: `mutation { createMailbox(input: { name: "x", host: "imap.example.com/../x", port: 993, tls: true, username: "u", password: "p" }) { id } }`,
        code: INPUT,
        message: /host/,
      },
    ],
    testMailbox: [
      {
        name: 'unknown mailbox',
        query: `mutation { testMailbox(id: "999999") { ok } }`,
        code: 'NOT_FOUND',
      },
      { name: 'malformed id', query: `mutation { testMailbox(id: "x") { ok } }`, code: INPUT },
    ],
    deleteMailbox: [
      {
        name: 'unknown mailbox',
        query: `mutation { deleteMailbox(id: "999999") }`,
        code: 'NOT_FOUND',
      },
      { name: 'malformed id', query: `mutation { deleteMailbox(id: "x") }`, code: INPUT },
    ],
    setMailboxActive: [
      {
        name: 'unknown mailbox',
        query: `mutation { setMailboxActive(id: "999999", active: false) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'malformed id',
        query: `mutation { setMailboxActive(id: "${SQL}", active: false) { id } }`,
        code: INPUT,
      },
    ],
    setMyMailNotifications: [
      {
        name: 'string for a switch',
        query: `mutation { setMyMailNotifications(input: { assigned: "yes" }) { assigned } }`,
        code: INVALID,
      },
    ],
    setTeamMailSender: [
      {
        name: 'not an address',
        query: `mutation { setTeamMailSender(teamId: "${ids.team}", input: { fromAddress: "${SQL}" }) { fromName } }`,
        code: INPUT,
        message: /fromAddress/,
      },
      {
        name: 'header injection in the name',
        query: `mutation($n: String) { setTeamMailSender(teamId: "${ids.team}", input: { fromName: $n }) { fromName } }`,
        variables: { n: 'Support\r\nBcc: all@example.com' },
        code: INPUT,
        message: /fromName/,
      },
    ],
  };
}
