import { performance } from "node:perf_hooks";
import { PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { RefreshHandler } from "../../../runtime/lambda";
import type { RefreshResult } from "../../../runtime/lambda/types";
import { changeEvent } from "../../runtime/lambda/support/events";

/**
 * Groups of relative keys (`load/g017/k2`) that are always written together with the same
 * generation: `count` keys in groups of 2 to 4 (sizes drawn from `random`), so the change sets and
 * the handler's batches have irregular sizes and a reader can tell a half-applied set.
 */
export function keyGroups(count: number, random: () => number, prefix = "load"): string[][] {
  const groups: string[][] = [];
  let made = 0;
  while (made < count) {
    const size = Math.min(count - made, 2 + Math.floor(random() * 3));
    const group = groups.length;
    groups.push(Array.from({ length: size }, (_, k) => `${prefix}/g${String(group).padStart(3, "0")}/k${k}`));
    made += size;
  }
  return groups;
}

/** The value of a key of group `group` at generation `generation`: `g<gen>|<group>|<key index>`. */
export function groupValue(generation: number, group: number, index: number): string {
  return `g${generation}|${group}|${index}`;
}

/** Options of {@link runBurst}. */
export interface BurstOptions {
  ssm: SSMClient;
  /** `/<app>/<env>/`. */
  prefix: string;
  groups: string[][];
  /** Generations written after generation 0 (each writes every key once). */
  rounds: number;
  handler: RefreshHandler;
  /** Parallel PutParameter calls. */
  writeConcurrency: number;
  /** Most events per handler invocation (a group is never split across invocations). */
  eventsPerInvocation: number;
  /** Parallel handler invocations (Lambda concurrency). */
  invocationConcurrency: number;
  /** Called when the first write of a round starts (the previous round may still be in flight). */
  onRoundStart?(round: number): void;
}

/** What a burst did. */
export interface BurstOutcome {
  writes: number;
  invocations: number;
  /** Entries put on the stream. */
  published: number;
  /** Instances × invocations answered ACK / NACK / unreachable. */
  instanceOutcomes: { ACK: number; NACK: number; unreachable: number };
  /** Invocations that threw (should be none: every dependency is up). */
  failures: string[];
  /** From the first write to the last invocation's end, ms. */
  durationMs: number;
  /** From the first write to the last write, ms. */
  writeMs: number;
  /** `Date.now()` when the last write was acknowledged by SSM. */
  lastWriteAt: number;
}

/**
 * Writes `rounds` generations of every key to SSM (PutParameter, `writeConcurrency` in flight)
 * and delivers their "Parameter Store Change" events to the real handler in batches, as an SQS
 * event source with a batching window would (instead of one PutEvents + SQS round trip per
 * change, which would not fit the suite's time budget). A group's events are delivered together,
 * once all its writes succeeded, and a group is written again only once the invocation carrying
 * its previous generation has finished: SSM never holds a half-written group while the handler
 * reads it, so what the handler publishes is a consistent set that instances must apply as one.
 */
export async function runBurst(options: BurstOptions): Promise<BurstOutcome> {
  const outcome: BurstOutcome = {
    writes: 0,
    invocations: 0,
    published: 0,
    instanceOutcomes: { ACK: 0, NACK: 0, unreachable: 0 },
    failures: [],
    durationMs: 0,
    writeMs: 0,
    lastWriteAt: 0,
  };
  const started = performance.now();
  let lastWrite = started;
  const invoking = new Set<Promise<void>>();
  const invoke = async (events: Record<string, unknown>[]): Promise<void> => {
    outcome.invocations++;
    try {
      const result: RefreshResult = await options.handler(events);
      outcome.published += result.published.length;
      for (const instance of result.instances) outcome.instanceOutcomes[instance.outcome]++;
    } catch (error) {
      outcome.failures.push(error instanceof Error ? error.message : String(error));
    }
  };
  /** Starts an invocation once fewer than `invocationConcurrency` run; resolves when it finished. */
  const dispatch = async (events: Record<string, unknown>[]): Promise<void> => {
    while (invoking.size >= options.invocationConcurrency) await Promise.race(invoking);
    const running = invoke(events).finally(() => invoking.delete(running));
    invoking.add(running);
    await running;
  };

  // Per group: resolves when the invocation carrying its latest generation has finished.
  const delivered: Promise<void>[] = options.groups.map(() => Promise.resolve());
  const openBatch = (): {
    events: Record<string, unknown>[];
    groups: Set<number>;
    done: Promise<void>;
    sent(done: Promise<void>): void;
  } => {
    let sent!: (done: Promise<void>) => void;
    const done = new Promise<void>((resolve) => (sent = (invocation) => void invocation.then(resolve)));
    return { events: [], groups: new Set(), done, sent };
  };
  let batch = openBatch();
  const flush = (): void => {
    if (batch.events.length === 0) return;
    const full = batch;
    batch = openBatch();
    full.sent(dispatch(full.events));
  };
  let next = 0;
  const jobs = options.rounds * options.groups.length;
  const writer = async (): Promise<void> => {
    while (next < jobs) {
      const job = next++;
      const round = 1 + Math.floor(job / options.groups.length);
      const group = job % options.groups.length;
      if (group === 0) options.onRoundStart?.(round);
      // Its previous generation still waits in the open batch: send it, nobody else may fill it in time.
      if (batch.groups.has(group)) flush();
      await delivered[group];
      const keys = options.groups[group] as string[];
      for (let k = 0; k < keys.length; k++) {
        await options.ssm.send(
          new PutParameterCommand({
            Name: options.prefix + keys[k],
            Value: groupValue(round, group, k),
            Type: "String",
            Overwrite: true,
          }),
        );
        outcome.writes++;
      }
      lastWrite = performance.now();
      outcome.lastWriteAt = Date.now();
      if (batch.events.length + keys.length > options.eventsPerInvocation) flush();
      batch.events.push(...keys.map((key) => changeEvent(options.prefix + key, "Update")));
      batch.groups.add(group);
      delivered[group] = batch.done;
    }
  };
  await Promise.all(Array.from({ length: options.writeConcurrency }, writer));
  flush();
  await Promise.all(delivered);
  await Promise.all([...invoking]);
  outcome.durationMs = Math.round(performance.now() - started);
  outcome.writeMs = Math.round(lastWrite - started);
  return outcome;
}
