import { createHash, timingSafeEqual } from "node:crypto";
import * as grpc from "@grpc/grpc-js";

/** The metadata entry that carries the refresh token, as `Bearer <token>`. */
export const REFRESH_TOKEN_METADATA_KEY = "authorization";

/** Metadata carrying `token`, for a `Refresh` or `State` call. */
export function refreshTokenMetadata(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(REFRESH_TOKEN_METADATA_KEY, `Bearer ${token}`);
  return metadata;
}

/**
 * True when the call's metadata carries exactly `expected`. Compares SHA-256 digests with
 * `timingSafeEqual`, so neither the content nor the length of the token leaks through timing.
 * An empty expected token never matches.
 */
export function hasRefreshToken(metadata: grpc.Metadata, expected: string): boolean {
  const [entry] = metadata.get(REFRESH_TOKEN_METADATA_KEY);
  if (typeof entry !== "string" || !entry.startsWith("Bearer ") || expected === "") return false;
  const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(entry.slice("Bearer ".length)), digest(expected));
}

/** The error a server answers when the token is missing or wrong; the token is never echoed. */
export function unauthenticatedError(): Partial<grpc.StatusObject> {
  return { code: grpc.status.UNAUTHENTICATED, details: "missing or invalid refresh token" };
}
