import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  type ParameterTier,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { ChangeEventRelayError, ParameterNotFoundError } from "../errors";
import type { ChangeOperation, ParameterType } from "../../protocol/types";
import type { ChangeEventRelay } from "./changeEventRelay";
import { emittedEventsOf, type EmittedEvents } from "./emittedEventHeaders";

/** Options of {@link writeParameter}. */
export interface WriteParameterOptions {
  /** Type of a new parameter; default: the existing parameter's type (a new one needs it). */
  type?: ParameterType;
  /** Description sent with the write. */
  description?: string;
  /** The parameter's tier, sent unless Standard (an Advanced parameter cannot go back to Standard). */
  tier?: string;
  /**
   * Emit the change event through this relay (against an emulator); omit against AWS. Not used when
   * the endpoint answers that it emitted the event itself (the local pipeline's): one event a write.
   */
  relay?: ChangeEventRelay;
}

/** A write that Parameter Store accepted. */
export interface WrittenParameter {
  name: string;
  /** The version SSM created. */
  version: number;
  type: ParameterType;
  operation: Extract<ChangeOperation, "Create" | "Update" | "Delete">;
  /** `Date.now()` when PutParameter (DeleteParameter) returned: latencies are measured from here. */
  writtenAt: number;
  /** The change event's id, when a relay or the endpoint itself sent one. */
  eventId?: string;
}

/**
 * Writes a parameter (`PutParameter` with `Overwrite`) and, when given a relay, emits its change
 * event as Parameter Store would, unless the endpoint emitted it already. A parameter that does not
 * exist needs `type` (then the event says `Create`).
 *
 * @throws {@link ParameterNotFoundError} when the parameter does not exist and no `type` was given;
 * {@link ChangeEventRelayError} when the write succeeded but its event could not be sent.
 *
 * @example
 * ```ts
 * const written = await writeParameter(ssm, "/shop/beta/log_level", "info", { relay });
 * console.log(written.version, written.writtenAt);
 * ```
 */
export async function writeParameter(
  ssm: SSMClient,
  name: string,
  value: string,
  options: WriteParameterOptions = {},
): Promise<WrittenParameter> {
  const type = options.type ?? (await currentType(ssm, name, "pass a type to create it"));
  const command = new PutParameterCommand({
    Name: name,
    Value: value,
    Type: type,
    Overwrite: true,
    ...(options.description !== undefined ? { Description: options.description } : {}),
    ...(options.tier !== undefined && options.tier !== "Standard" ? { Tier: options.tier as ParameterTier } : {}),
  });
  const emitted = observeEmittedEvents(command);
  const put = await ssm.send(command);
  const writtenAt = Date.now();
  const version = put.Version ?? 0;
  const operation = version === 1 ? "Create" : "Update";
  const written: WrittenParameter = { name, version, type, operation, writtenAt };
  if (emitted.events) {
    takeEmittedEvent(written, emitted.events);
  } else if (options.relay) {
    const arn = await options.relay.parameterArn(name, () => parameterArn(ssm, name));
    const [eventId] = await options.relay.emit([
      {
        operation,
        name,
        type,
        arn,
        ...(options.description !== undefined ? { description: options.description } : {}),
      },
    ]);
    if (eventId) written.eventId = eventId;
  }
  return written;
}

/**
 * Deletes a parameter and, when given a relay, emits its `Delete` change event (unless the
 * endpoint emitted it already).
 *
 * @throws {@link ParameterNotFoundError} when it does not exist; {@link ChangeEventRelayError} as
 * {@link writeParameter}.
 */
export async function deleteParameter(
  ssm: SSMClient,
  name: string,
  options: { relay?: ChangeEventRelay } = {},
): Promise<WrittenParameter> {
  const current = await readParameter(ssm, name);
  const command = new DeleteParameterCommand({ Name: name });
  const emitted = observeEmittedEvents(command);
  await ssm.send(command);
  const writtenAt = Date.now();
  const written: WrittenParameter = {
    name,
    version: current.version,
    type: current.type,
    operation: "Delete",
    writtenAt,
  };
  if (emitted.events) {
    takeEmittedEvent(written, emitted.events);
  } else if (options.relay) {
    const [eventId] = await options.relay.emit([{ operation: "Delete", name, type: current.type, arn: current.arn }]);
    if (eventId) written.eventId = eventId;
  }
  return written;
}

/** Reads the endpoint's change-event headers on `command`'s answer: `events` is set once it answered, if any. */
function observeEmittedEvents(command: PutParameterCommand | DeleteParameterCommand): { events?: EmittedEvents } {
  const seen: { events?: EmittedEvents } = {};
  const stack = command.middlewareStack as unknown as {
    add(middleware: (next: Next) => Next, options: { step: "deserialize"; name: string }): void;
  };
  stack.add(
    (next) => async (args) => {
      const result = await next(args);
      const events = result.response?.headers ? emittedEventsOf(result.response.headers) : undefined;
      if (events) seen.events = events;
      return result;
    },
    { step: "deserialize", name: "readEmittedChangeEvents" },
  );
  return seen;
}

type Next = (args: unknown) => Promise<{ response?: { headers?: Record<string, string> } }>;

/** Records the endpoint's event on `written`, or fails when the endpoint could not send it. */
function takeEmittedEvent(written: WrittenParameter, events: EmittedEvents): void {
  if (events.error) {
    const what = `${written.name} was written (version ${written.version})`;
    throw new ChangeEventRelayError(`${what} but the endpoint sent no change event: ${events.error}`);
  }
  const [eventId] = events.eventIds;
  if (eventId) written.eventId = eventId;
}

async function currentType(ssm: SSMClient, name: string, hint: string): Promise<ParameterType> {
  return (await readParameter(ssm, name, hint)).type;
}

async function parameterArn(ssm: SSMClient, name: string): Promise<string> {
  return (await readParameter(ssm, name)).arn;
}

async function readParameter(
  ssm: SSMClient,
  name: string,
  hint = "",
): Promise<{ type: ParameterType; version: number; arn: string }> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: false }));
    return {
      type: (Parameter?.Type ?? "String") as ParameterType,
      version: Parameter?.Version ?? 0,
      arn: Parameter?.ARN ?? "",
    };
  } catch (error) {
    if ((error as Error).name === "ParameterNotFound") throw new ParameterNotFoundError(name, hint);
    throw error;
  }
}
