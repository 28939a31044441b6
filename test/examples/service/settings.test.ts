import { strict as assert } from "node:assert";
import { readSettings, SettingsError } from "../../../examples/service/settings";

const REQUIRED = ["--parameter-path", "/shop/beta/", "--redis-url", "redis://127.0.0.1:6379", "--region", "eu-west-1"];

describe("the example service's settings", () => {
  it("takes an IPv4 or an IPv6 instance address (an IPv6-only task registers its own)", () => {
    assert.equal(readSettings([...REQUIRED, "--instance-address", "10.0.1.17"], {}).instanceAddress, "10.0.1.17");
    assert.equal(
      readSettings([...REQUIRED], { INSTANCE_ADDRESS: "2600:1f18:abcd::17" }).instanceAddress,
      "2600:1f18:abcd::17",
    );
  });

  it("refuses an address that is neither, naming the flag and its variable", () => {
    assert.throws(
      () => readSettings([...REQUIRED, "--instance-address", "refresh.shop.internal"], {}),
      (error: unknown) => {
        assert.ok(error instanceof SettingsError);
        assert.deepEqual(error.problems, ["--instance-address (INSTANCE_ADDRESS): must be an IPv4 or IPv6 address"]);
        return true;
      },
    );
  });
});
