import { AUDIT_ACTIONS } from './audit-actions';

describe('audit actions', () => {
  it('are unique and named <entity>.<verb> in snake case', () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    for (const a of AUDIT_ACTIONS) expect(a).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);
  });
});
