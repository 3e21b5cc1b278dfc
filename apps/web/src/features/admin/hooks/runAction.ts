import { notifications } from '@mantine/notifications';
import { apiProblem } from '@/lib/errors';

/**
 * Runs an admin action from a list (a menu item, a row's button, a confirmation) and says how it
 * went in a notification: `done` when it worked, the api's reason when it did not. True when it
 * worked.
 */
export async function runAction(action: () => Promise<unknown>, done?: string): Promise<boolean> {
  try {
    await action();
    if (done) notifications.show({ message: done, color: 'teal' });
    return true;
  } catch (err) {
    notifications.show({ message: apiProblem(err)?.message ?? 'Not changed.', color: 'red' });
    return false;
  }
}
