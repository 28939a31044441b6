/**
 * Recognises keys and values that look like secrets, which an `app_config` file must never hold:
 * the file lives in git and its values land in Pulumi state in plain text.
 */

const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "secret",
  "secrets",
  "token",
  "tokens",
  "apikey",
  "privatekey",
  "credential",
  "credentials",
  "accesskey",
  "secretkey",
  "signingkey",
]);
const SECRET_PAIRS = new Set(["api key", "private key", "access key", "secret key", "signing key", "client secret"]);
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Splits `db_Password`, `apiKey`, `private-key.pem` into lower-case words. */
function words(segment: string): string[] {
  return segment
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/**
 * The word that makes a key look like a secret (`"password"` for `database/admin_password`), or
 * `undefined`. Checks every path segment, word by word, so `tokenizer_mode` is not a match but
 * `auth/refresh_token` is.
 */
export function secretLikeWord(key: string): string | undefined {
  for (const segment of key.split("/")) {
    const ws = words(segment);
    for (const [i, word] of ws.entries()) {
      if (SECRET_WORDS.has(word)) return word;
      const pair = `${word} ${ws[i + 1] ?? ""}`;
      if (SECRET_PAIRS.has(pair)) return pair;
    }
  }
  return undefined;
}

/** True when a value is plainly secret material (a PEM private key). */
export function looksLikeSecretValue(value: string): boolean {
  return PEM_PRIVATE_KEY.test(value);
}
