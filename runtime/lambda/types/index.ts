export type {
  InstanceOutcome, InstanceRefreshResult, PublishedChange, RefreshResult, RejectedRecord, SkipReason, SkippedChange,
} from "./RefreshResult";
