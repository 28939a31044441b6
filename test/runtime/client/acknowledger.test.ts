import { strict as assert } from "node:assert";
import type { Redis } from "ioredis";
import { Acknowledger } from "../../../runtime/client/stream/acknowledger";
import type { AckMessage } from "../../../runtime/protocol";

/** A stand-in for the acks connection: records each pipeline (its XADDs) and when it was sent. */
function recordingRedis(): { redis: Redis; pipelines: string[][][]; quit: number } {
  const recorded = { pipelines: [] as string[][][], quit: 0 };
  const redis = {
    pipeline() {
      const commands: string[][] = [];
      const pipeline = {
        xadd(...args: (string | number)[]) {
          commands.push(args.map(String));
          return pipeline;
        },
        exec() {
          recorded.pipelines.push(commands);
          return Promise.resolve(commands.map(() => [null, "1-0"]));
        },
      };
      return pipeline;
    },
    quit() {
      recorded.quit += 1;
      return Promise.resolve("OK");
    },
    disconnect() {},
  } as unknown as Redis;
  return {
    redis,
    get pipelines() {
      return recorded.pipelines;
    },
    get quit() {
      return recorded.quit;
    },
  };
}

const ack = (name: string, version: number): Omit<AckMessage, "format"> => ({
  instanceId: "i-1",
  name,
  version,
  via: "stream",
  appliedAt: Date.now(),
});
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("acknowledgements are written off the apply path", () => {
  it("writes nothing during the turn of the swaps, then all of that turn's acknowledgements in one pipeline", async () => {
    const fake = recordingRedis();
    let written = 0;
    const acknowledger = new Acknowledger(fake.redis, "acks", 100, {
      onWritten: (count) => (written += count),
      onFailed: () => assert.fail("no failure expected"),
    });

    acknowledger.send([ack("/shop/beta/a", 2)]);
    acknowledger.send([ack("/shop/beta/b", 3), ack("/shop/beta/c", 4)]);
    assert.equal(fake.pipelines.length, 0, "no socket write inside the swap's turn");

    await nextTurn();
    await nextTurn();
    assert.equal(fake.pipelines.length, 1);
    assert.deepEqual(
      fake.pipelines[0]!.map((command) => command[command.indexOf("name") + 1]),
      ["/shop/beta/a", "/shop/beta/b", "/shop/beta/c"],
    );
    assert.equal(written, 3);
  });

  it("reports an acknowledgement it cannot encode as a failure instead of throwing out of its deferred write", async () => {
    const fake = recordingRedis();
    const failures: string[] = [];
    const acknowledger = new Acknowledger(fake.redis, "acks", 100, {
      onWritten: () => assert.fail("nothing to write"),
      onFailed: (error) => void failures.push(error.message),
    });

    acknowledger.send([{ ...ack("/shop/beta/a", 2), appliedAt: Number.NaN }]);
    await nextTurn();
    await nextTurn();
    assert.equal(failures.length, 1, "the RangeError of an invalid time is reported, not thrown in setImmediate");
    assert.equal(fake.pipelines.length, 0);
  });

  it("writes what is still queued when it closes, before quitting", async () => {
    const fake = recordingRedis();
    const acknowledger = new Acknowledger(fake.redis, "acks", 100, {
      onWritten: () => undefined,
      onFailed: () => assert.fail("no failure expected"),
    });

    acknowledger.send([ack("/shop/beta/a", 2)]);
    await acknowledger.close(1_000);

    assert.equal(fake.pipelines.length, 1);
    assert.equal(fake.quit, 1);
    await nextTurn();
    assert.equal(fake.pipelines.length, 1, "the queued turn is not written twice");
  });
});
