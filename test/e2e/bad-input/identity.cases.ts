import { Case, Ids, SQL, INPUT, INVALID } from './case';

/** Bad input to the mutations of users, teams, sign-in and passwords. */
export function identityCases(ids: Ids): Record<string, Case[]> {
  const t = ids.ticket;
  return {
    createTeam: [
      {
        name: 'empty name',
        query: `mutation { createTeam(input: { name: "" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'bad time zone',
        query: `mutation { createTeam(input: { name: "Night", timezone: "Mars/Olympus" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'duplicate name',
        query: `mutation { createTeam(input: { name: "support" }) { id } }`,
        code: 'CONFLICT',
      },
    ],
    createUser: [
      {
        name: 'bad e-mail',
        query: `mutation { createUser(input: { email: "x", name: "x", password: "long-enough-password", role: agent }) { id } }`,
        code: INPUT,
      },
      {
        name: 'short password',
        query: `mutation { createUser(input: { email: "n@t.local", name: "x", password: "123", role: agent }) { id } }`,
        code: INPUT,
        message: /password/,
      },
      {
        name: 'invalid role',
        query: `mutation { createUser(input: { email: "n@t.local", name: "x", password: "long-enough-password", role: god }) { id } }`,
        code: INVALID,
      },
      {
        name: 'duplicate e-mail',
        query: `mutation { createUser(input: { email: "ADMIN@t.local", name: "x", password: "long-enough-password", role: agent }) { id } }`,
        code: 'CONFLICT',
      },
    ],
    login: [
      {
        name: 'SQL in e-mail',
        query: `mutation { login(email: "${SQL}", password: "x") { token } }`,
        code: 'UNAUTHENTICATED',
      },
      {
        name: 'huge password',
        query: `mutation($p: String!) { login(email: "admin@t.local", password: $p) { token } }`,
        variables: { p: 'p'.repeat(100_000) },
        code: 'UNAUTHENTICATED',
      },
    ],
    reportPresence: [
      {
        name: 'ticketId is not an id',
        query: `mutation { reportPresence(ticketId: "one", composing: true) }`,
        code: INPUT,
      },
      {
        name: 'composing is not a boolean',
        query: `mutation { reportPresence(ticketId: "${t}", composing: "yes") }`,
        code: INVALID,
      },
    ],
    logout: [
      {
        name: 'unknown argument (a real logout would end the admin session of this suite)',
        query: `mutation { logout(everywhere: true) }`,
        code: INVALID,
      },
    ],
    updateTeam: [
      {
        name: 'unknown lead',
        query: `mutation { updateTeam(id: "${ids.team}", input: { name: "Support", leadId: "999999999" }) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'bad business hours',
        query: `mutation { updateTeam(id: "${ids.team}", input: { name: "Support", timezone: "Europe/Paris", businessHours: { mon: "all day" } }) { id } }`,
        code: INPUT,
      },
    ],
    changePassword: [
      {
        name: 'wrong current password',
        query: `mutation { changePassword(currentPassword: "not-my-password", newPassword: "a-new-long-password") { token } }`,
        code: INPUT,
        message: /currentPassword: is not your current password/,
      },
      {
        name: 'short new password',
        query: `mutation { changePassword(currentPassword: "correct-horse-battery", newPassword: "x") { token } }`,
        code: INPUT,
        message: /newPassword/,
      },
    ],
    unlockUser: [
      {
        name: 'unknown user',
        query: `mutation { unlockUser(id: "999999999") { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'SQL in id',
        query: `mutation { unlockUser(id: "1; DELETE FROM users") { id } }`,
        code: INPUT,
      },
    ],
    setAvailability: [
      {
        name: 'unknown value',
        query: `mutation { setAvailability(availability: busy) { availability } }`,
        code: INVALID,
      },
    ],
    setTeamAssignment: [
      {
        name: 'cap 0',
        query: `mutation { setTeamAssignment(teamId: "${ids.team}", mode: round_robin, cap: 0) { mode } }`,
        code: INPUT,
        message: /cap/,
      },
      {
        name: 'unknown team',
        query: `mutation { setTeamAssignment(teamId: "999999999", mode: least_open, cap: 3) { mode } }`,
        code: 'NOT_FOUND',
      },
    ],
    requestPasswordReset: [
      {
        name: 'email is null',
        query: `mutation($e: String!) { requestPasswordReset(email: $e) }`,
        variables: { e: null },
        code: INPUT,
      },
    ],
    resetPassword: [
      {
        name: 'forged token',
        query: `mutation { resetPassword(token: "${SQL}", newPassword: "a-long-enough-password") }`,
        code: 'TOKEN_INVALID',
      },
      {
        name: 'token of a link that was never issued',
        query: `mutation { resetPassword(token: "999999.AAAA", newPassword: "a-long-enough-password") }`,
        code: 'TOKEN_INVALID',
      },
    ],
    sendPasswordResetLink: [
      {
        name: 'malformed id',
        query: `mutation { sendPasswordResetLink(id: "${SQL}") }`,
        code: INPUT,
      },
      {
        name: 'unknown user',
        query: `mutation { sendPasswordResetLink(id: "999999999") }`,
        code: 'NOT_FOUND',
      },
    ],
    updateUser: [
      {
        name: 'unknown team',
        query: `mutation { updateUser(id: "${ids.agent}", input: { teamId: "999999999" }) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'short password',
        query: `mutation { updateUser(id: "${ids.agent}", input: { password: "x" }) { id } }`,
        code: INPUT,
      },
    ],
  };
}
