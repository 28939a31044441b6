export type {
  InstanceOutcome, InstanceRefreshResult, PublishedChange, RefreshResult, RejectedRecord, SkipReason, SkippedChange,
  UnreachableReason,
} from "./RefreshResult";
