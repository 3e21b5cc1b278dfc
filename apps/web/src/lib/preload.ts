/**
 * Warming the ticket page before it is opened: the router registers how to load the ticket
 * chunk (features must not import the app), the queue calls `preloadTicketChunk` once it has
 * rendered and `prefetch…` for the row the agent hovers or selects.
 */
let loadTicketChunk: (() => Promise<unknown>) | null = null;

export function registerTicketChunk(load: () => Promise<unknown>) {
  loadTicketChunk = load;
}

export function preloadTicketChunk() {
  void loadTicketChunk?.().catch(() => undefined);
}
