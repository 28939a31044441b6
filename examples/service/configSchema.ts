import { z } from "zod";
import { ssmBoolean, ssmInteger, ssmList, type ConfigSchema } from "../../runtime/client";

/** The log levels the service knows, most verbose first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The schema of every key of `stacks/app_config_<env>.yaml` (relative to `/<app>/<env>/`), plus
 * the secrets listed under `required_secrets`: what this service refuses to boot without, and what
 * a live change must satisfy to be applied.
 */
export const serviceSchema = {
  log_level: z.enum(LOG_LEVELS),

  "http/timeout_ms": ssmInteger({ min: 100, max: 60_000 }),
  "http/retries": ssmInteger({ min: 0, max: 10 }),
  "http/keepalive": ssmBoolean(),

  "features/new_checkout": ssmBoolean(),
  "features/recommendations": ssmBoolean(),
  "features/rollout_percent": ssmInteger({ min: 0, max: 100 }),

  "endpoints/payments": z.url(),
  "endpoints/inventory": z.url(),
  "endpoints/search": z.url(),

  "cors/allowed_origins": ssmList(z.url()),

  "checkout/max_items": ssmInteger({ min: 1, max: 1_000 }),
  "checkout/currency": z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR"),
  "checkout/payment_methods": ssmList(z.string().regex(/^[a-z_]+$/, "must be a lowercase method name")),

  "cache/ttl_seconds": ssmInteger({ min: 0, max: 86_400 }),
  "cache/max_entries": ssmInteger({ min: 1, max: 1_000_000 }),

  // required_secrets: SecureStrings created by hand, never in the file.
  "database/password": z.string().min(8, "must be at least 8 characters"),
  "payments/api_key": z.string().min(8, "must be at least 8 characters"),
} satisfies ConfigSchema;

/** The schema's type, for `ConfigClient<ServiceSchema>`. */
export type ServiceSchema = typeof serviceSchema;
