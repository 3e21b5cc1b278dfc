import { useMutation } from '@apollo/client/react';
import { useEffect, useRef, useState } from 'react';
import {
  ReportPresenceDocument,
  TicketViewersLiveDocument,
  type TicketViewersLiveSubscription,
} from '@/gql/graphql';
import { useLive } from '@/lib/live';

/** The api forgets a viewer ~25 s after their last heartbeat; one every 10 s keeps us listed. */
export const HEARTBEAT_MS = 10_000;

export type Viewer = TicketViewersLiveSubscription['ticketViewers']['viewers'][number];

/**
 * Collision detection: tells the api that this agent has the ticket open (and whether they are
 * writing), every HEARTBEAT_MS and at once when that changes, "leaving" when the page closes;
 * answers who else has it open.
 */
export function usePresence(
  ticketId: string,
  meId: string | undefined,
  composing: boolean,
  skip = false,
) {
  const [report] = useMutation(ReportPresenceDocument);
  const [viewers, setViewers] = useState<Viewer[]>([]);
  const composingRef = useRef(composing);
  composingRef.current = composing;

  useEffect(() => {
    if (skip) return;
    const send = (leaving = false) =>
      report({
        variables: { ticketId, composing: !leaving && composingRef.current, leaving },
      }).catch(() => undefined); // presence is best effort: the next heartbeat tries again
    void send();
    const timer = setInterval(() => void send(), HEARTBEAT_MS);
    const leave = () => void send(true);
    window.addEventListener('pagehide', leave);
    return () => {
      clearInterval(timer);
      window.removeEventListener('pagehide', leave);
      leave();
    };
  }, [ticketId, report, skip]);

  // a change of "composing" is told at once, not at the next heartbeat
  const told = useRef(composing);
  useEffect(() => {
    if (skip || told.current === composing) return;
    told.current = composing;
    void report({ variables: { ticketId, composing, leaving: false } }).catch(() => undefined);
  }, [composing, ticketId, report, skip]);

  useLive(TicketViewersLiveDocument, {
    variables: { id: ticketId },
    skip,
    onData: (d) => setViewers(d.ticketViewers.viewers.filter((v) => v.user.id !== meId)),
  });
  return viewers;
}
