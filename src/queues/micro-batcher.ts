/**
 * Gathers the calls that concurrent jobs of one process make within one turn of the event loop and
 * serves them with one call of `run` (one statement, one commit, for many jobs). Each caller gets its
 * own result, or the batch's error (its job then fails and is retried like any other failure). With one
 * job at a time it is a plain call.
 */
export class MicroBatcher<I, O> {
  private pending: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    /** Results in the order of the items. */
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxSize = 100,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxSize) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    this.run(batch.map((b) => b.item)).then(
      (results) => batch.forEach((b, i) => b.resolve(results[i])),
      (error: unknown) => batch.forEach((b) => b.reject(error)),
    );
  }
}
