/** The outcome of one item of a batch: its value, or the error its caller gets. */
export type Settled<T> = { value: T } | { error: unknown };

/**
 * Group commit: items added while a batch is being decided wait and go together in the next
 * one (at most `max` per batch), so a quiet system answers at once and a busy one in big
 * batches. `run` gets the items and a `release` to call once the part that must not overlap is
 * done (a transaction); the next batch starts then, while this one finishes (its mails). Each
 * `add` resolves or rejects with its own item's outcome; a `run` that throws rejects them all.
 */
export class GroupCommit<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private busy = false;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[], release: () => void) => Promise<Settled<O>[]>,
    private readonly max: number,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.busy || this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    // the items of this turn of the event loop go together
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.busy || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.max);
    this.busy = true;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.busy = false;
      this.schedule();
    };
    this.run(
      batch.map((b) => b.item),
      release,
    ).then(
      (results) => {
        release();
        batch.forEach((b, i) => {
          const r = results[i];
          if (r && 'value' in r) b.resolve(r.value);
          else b.reject(r ? r.error : new Error('batch item without an outcome'));
        });
      },
      (err: unknown) => {
        release();
        for (const b of batch) b.reject(err);
      },
    );
  }
}
