export type {
  InstanceOutcome,
  InstanceRefreshResult,
  PublishedChange,
  ReconcileSummary,
  RefreshResult,
  RejectedRecord,
  SkipReason,
  SkippedChange,
  UnreachableReason,
} from "./RefreshResult";
