import { Actor, mayReadTicket } from '@staydesk/identity';

type Team = Parameters<typeof mayReadTicket>[1];

/**
 * What a subscriber's view of private teams depends on besides its role: the teams it belongs
 * to and, for a team lead, who it is (a lead may lead a team without being a member). Two
 * subscribers with the same role and key may read the same tickets and notes, so the live path
 * decides visibility and executes each event's selection once per (role, key), not per
 * subscriber. Users may belong to several teams: they are listed here, sorted.
 */
export function visibilityKey(actor: Pick<Actor, 'id' | 'role' | 'teamIds'>): string {
  let key = keys.get(actor);
  if (key === undefined) {
    const teams = [...actor.teamIds].sort().join(',');
    key = actor.role === 'team_lead' ? `${teams}|${actor.id}` : teams;
    keys.set(actor, key);
  }
  return key;
}

/**
 * Each actor's key, computed once: the hub asks for it per subscriber and event of a private
 * team's ticket. An actor object is never changed after sign-in (a re-check replaces the
 * connection's actor with a new object), so its key cannot go stale.
 */
const keys = new WeakMap<object, string>();

/**
 * The class a subscriber's visibility is decided for: role and {@link visibilityKey}. Built once
 * per actor (the hub asks per subscriber and event of a private team's ticket; a new string each
 * time was an allocation and a hash per subscriber).
 */
const classes = new WeakMap<object, string>();
function classOf(actor: Actor): string {
  let cls = classes.get(actor);
  if (cls === undefined) {
    cls = `${actor.role}\u0000${visibilityKey(actor)}`;
    classes.set(actor, cls);
  }
  return cls;
}

/**
 * Whether subscribers may read one event's ticket (`mayReadTicket`, the rule of queries),
 * decided once per visibility class of the event: 1,000 subscribers make a handful of checks.
 */
export class TicketVisibility {
  private readonly decided = new Map<string, boolean>();

  constructor(private readonly team: Team) {}

  mayRead(actor: Actor): boolean {
    if (!this.team?.isPrivate) return true;
    const key = classOf(actor);
    let ok = this.decided.get(key);
    if (ok === undefined) {
      ok = mayReadTicket(actor, this.team);
      this.decided.set(key, ok);
    }
    return ok;
  }
}
