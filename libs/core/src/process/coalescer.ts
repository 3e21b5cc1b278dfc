/**
 * Collects items added in the same turn of the event loop and writes them with one call; `add`
 * resolves (or rejects) when the write that carried its item is done. Used where many jobs
 * running side by side each mark one row (survey hand-overs, sent marks, reply deliveries).
 */
export class Coalescer<T> {
  private items: T[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly write: (items: T[]) => Promise<void>) {}

  add(item: T): Promise<void> {
    this.items.push(item);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const items = this.items;
      this.items = [];
      this.flushing = null;
      return this.write(items);
    });
    return this.flushing;
  }
}
