/**
 * The shape of a generated refresh token, shared by the component (which generates it with
 * `random.RandomPassword`) and the local pipeline (which generates one for an emulator). No Pulumi
 * import, so the runtime may use it.
 */

/** Length of a generated refresh token. */
export const REFRESH_TOKEN_LENGTH = 48;

/** Letters and digits only: the token travels in gRPC metadata, where they need no escaping. */
export const REFRESH_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
