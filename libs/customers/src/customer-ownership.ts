import { forbidden } from '@staydesk/core';
import type { Actor } from '@staydesk/identity';

/**
 * The one ownership rule for changing a customer: admins change any customer; an account
 * manager changes the customers assigned to them and unassigned ones; nobody else changes
 * customers. Every customer-changing operation (update, status, churn, retention actions)
 * checks it, with the customer row read under the change's lock.
 */
export function assertMayChangeCustomer(
  actor: Pick<Actor, 'id' | 'role'>,
  customer: { id: string; accountManagerId: string | null; name?: string | null },
): void {
  if (actor.role === 'admin') return;
  if (actor.role !== 'account_manager') {
    throw forbidden(`a ${actor.role} may not change customers`);
  }
  if (customer.accountManagerId !== null && customer.accountManagerId !== actor.id) {
    // the customer's name (the caller can read it), never who the other manager is
    throw forbidden(
      `${customer.name ? `${customer.name} belongs` : 'This customer belongs'} to another account manager; only they or an admin may change it`,
    );
  }
}

/** An account manager may give a customer only to themselves (admins to anyone). */
export function assertMayAssignManager(
  actor: Pick<Actor, 'id' | 'role'>,
  accountManagerId: string | null | undefined,
): void {
  if (actor.role === 'admin' || accountManagerId == null || accountManagerId === actor.id) return;
  throw forbidden(
    `an account manager may assign customers only to themselves; ask an admin to assign user ${accountManagerId}`,
  );
}
