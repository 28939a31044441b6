import { strict as assert } from "node:assert";
import * as grpc from "@grpc/grpc-js";
import {
  REFRESH_TOKEN_METADATA_KEY,
  hasRefreshToken,
  refreshTokenMetadata,
  unauthenticatedError,
} from "../../../runtime/protocol";

function metadata(entry?: string): grpc.Metadata {
  const m = new grpc.Metadata();
  if (entry !== undefined) m.set(REFRESH_TOKEN_METADATA_KEY, entry);
  return m;
}

describe("refresh token check", () => {
  it("carries the token as `authorization: Bearer <token>`", () => {
    assert.deepEqual(refreshTokenMetadata("abc").get("authorization"), ["Bearer abc"]);
  });

  it("accepts exactly the expected token", () => {
    assert.equal(hasRefreshToken(refreshTokenMetadata("s3cret-token"), "s3cret-token"), true);
  });

  const refused: [string, grpc.Metadata, string][] = [
    ["no authorization entry", metadata(), "t"],
    ["another token", refreshTokenMetadata("wrong"), "t"],
    ["a token that only starts like the expected one", refreshTokenMetadata("token"), "token-longer"],
    ["the expected token with a suffix", refreshTokenMetadata("token-longer"), "token"],
    ["the token without the Bearer scheme", metadata("t"), "t"],
    ["a lower-case scheme", metadata("bearer t"), "t"],
    ["an empty expected token, even when the call sends an empty one", metadata("Bearer "), ""],
  ];
  for (const [what, given, expected] of refused) {
    it(`refuses ${what}`, () => {
      assert.equal(hasRefreshToken(given, expected), false);
    });
  }

  it("answers UNAUTHENTICATED without echoing the token", () => {
    const error = unauthenticatedError();
    assert.equal(error.code, grpc.status.UNAUTHENTICATED);
    assert.ok(!String(error.details).includes("Bearer"));
  });
});
