/** Thrown by `new ConfigRefreshProvider(...)` when its options are wrong; the message names every problem. */
export class ProviderOptionsError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(`invalid ConfigRefreshProvider options:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = new.target.name;
  }
}
