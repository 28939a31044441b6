import type { ParameterType } from "../../protocol";

/**
 * What became of a change some instances refused for their schema:
 * - `reverted`: the whole fleet refused it; the last accepted value was written back as a new version;
 * - `mixed`: some instances accepted it (a schema changing during a deploy): never reverted;
 * - `disabled`: the whole fleet refused it, and reverting is off (the component argument);
 * - `secure-string`: the whole fleet refused a SecureString: never reverted, only reported;
 * - `deletion`: the whole fleet refused a deletion (a required key): nothing to write back;
 * - `superseded`: SSM holds a newer version than the refused one (a later write): left alone;
 * - `revert-of-revert`: the refused version is itself a revert: never reverted again;
 * - `nothing-to-restore`: no instance holds an earlier version, or SSM's history no longer has it;
 * - `failed`: reading the history or writing failed (`detail` says why).
 */
export type RevertAction =
  | "reverted"
  | "mixed"
  | "disabled"
  | "secure-string"
  | "deletion"
  | "superseded"
  | "revert-of-revert"
  | "nothing-to-restore"
  | "failed";

/** One refused change and what the function did about it. */
export interface RevertReport {
  name: string;
  /** The version the instances refused. */
  refusedVersion: number;
  action: RevertAction;
  /** Instances that refused it for their schema, of those that answered about it. */
  refusedBy: number;
  answered: number;
  /** The version whose value was (or would be) restored. */
  restoredVersion?: number;
  /** The version the revert wrote. */
  revertVersion?: number;
  /** A sentence for the on-call engineer: the schema's reason, or why nothing was written. Never a value. */
  detail: string;
}

/** A revert SSM accepted, as a change event would describe it (the local pipeline relays one). */
export interface RevertWrite {
  name: string;
  version: number;
  type: ParameterType;
  description: string;
}
