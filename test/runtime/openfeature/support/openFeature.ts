import { OpenFeature, ProviderEvents, type EventDetails } from "@openfeature/server-sdk";

/** One event as an API-level handler received it. */
export interface HeardEvent {
  readonly type: ProviderEvents;
  readonly details: EventDetails | undefined;
}

/**
 * Records every provider event OpenFeature's global API hands to its handlers (added with
 * `OpenFeature.addHandler`, the way a service listens), in order.
 */
export function listenToEvents(): HeardEvent[] {
  const heard: HeardEvent[] = [];
  for (const type of Object.values(ProviderEvents)) {
    OpenFeature.addHandler(type, (details) => void heard.push({ type, details }));
  }
  return heard;
}

/**
 * OpenFeature's API is one global: each test leaves it as it found it (providers closed and
 * cleared, handlers and hooks removed).
 */
export async function resetOpenFeature(): Promise<void> {
  await OpenFeature.clearProviders();
  OpenFeature.clearHandlers();
  OpenFeature.clearHooks();
}
