/**
 * What to undo, in reverse order of doing it: each part of the pipeline registers how to stop
 * itself as soon as it started, so a failure or an interruption half-way stops exactly what ran.
 */
export class CleanupStack {
  private readonly steps: { what: string; undo: () => Promise<void> | void }[] = [];
  private running: Promise<string[]> | undefined;

  /** Registers how to undo something that just started. */
  public push(what: string, undo: () => Promise<void> | void): void {
    this.steps.push({ what, undo });
  }

  /** Undoes everything, last first; every step runs even when one fails. Returns the failures, as sentences. */
  public run(): Promise<string[]> {
    this.running ??= (async () => {
      const failures: string[] = [];
      for (const step of this.steps.splice(0).reverse()) {
        try {
          await step.undo();
        } catch (error) {
          failures.push(`stopping ${step.what} failed: ${(error as Error).message}`);
        }
      }
      return failures;
    })();
    return this.running;
  }
}
