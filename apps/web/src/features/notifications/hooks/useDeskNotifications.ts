import { notifications } from '@mantine/notifications';
import { useNavigate } from 'react-router';
import { MyFollowUpsDueDocument, MyTicketsLiveDocument } from '@/gql/graphql';
import { humanize, snippet } from '@/lib/format';
import { useLive } from '@/lib/live';

interface Alert {
  id: string;
  title: string;
  message: string;
  to: string | null;
}

/**
 * In-app notifications for the signed-in agent: a ticket assigned to them, a customer writing
 * on one of their tickets, one of their follow-ups falling due. Shown as Mantine notifications;
 * also as a browser notification when the tab is in the background and the agent allowed them
 * (`NotificationsButton`).
 */
export function useDeskNotifications(me: { id: string } | null, works: boolean) {
  const navigate = useNavigate();

  const show = (a: Alert) => {
    notifications.show({
      id: a.id,
      title: a.title,
      message: a.message,
      autoClose: 8000,
      style: a.to ? { cursor: 'pointer' } : undefined,
      onClick: a.to ? () => navigate(a.to!) : undefined,
    });
    if (
      typeof Notification !== 'undefined' &&
      Notification.permission === 'granted' &&
      document.visibilityState === 'hidden'
    ) {
      const n = new Notification(a.title, { body: a.message, tag: a.id });
      n.onclick = () => {
        window.focus();
        if (a.to) navigate(a.to);
        n.close();
      };
    }
  };

  useLive(MyTicketsLiveDocument, {
    skip: !me || !works,
    onData: ({ queueChanged: e }) => {
      const t = e.ticket;
      const label = `#${t.number} ${snippet(t.subject, 60)}`;
      const assignedToMe = e.changes.some(
        (c) => (c.type === 'assignee_changed' || c.type === 'auto_assigned') && c.to === me?.id,
      );
      if (assignedToMe || (e.change === 'entered' && e.changes.some((c) => c.type === 'created')))
        show({
          id: `assigned-${e.id}`,
          title: 'Assigned to you',
          message: label,
          to: `/tickets/${t.id}`,
        });
      else if (e.changes.some((c) => c.type === 'message' && c.to === 'customer_message'))
        show({
          id: `reply-${e.id}`,
          title: 'The customer wrote',
          message: label,
          to: `/tickets/${t.id}`,
        });
    },
  });

  useLive(MyFollowUpsDueDocument, {
    skip: !me,
    onData: ({ followUpDue: { id, followUp: f } }) =>
      show({
        id: `followup-${id}`,
        title: `Follow-up due: ${humanize(f.kind)}`,
        message: f.ticket
          ? `#${f.ticket.number} ${snippet(f.ticket.subject, 60)}`
          : `${f.customer.name}${f.note ? ` · ${snippet(f.note, 60)}` : ''}`,
        to: f.ticket ? `/tickets/${f.ticket.id}` : null,
      }),
  });
}
