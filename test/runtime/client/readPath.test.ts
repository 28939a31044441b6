import { strict as assert } from "node:assert";
import { ClientPool, useTestEnvironment, uniquePath, type TestEnvironment } from "./support/environment";
import { putParameters } from "./support/parameters";

const CALLS = 200_000;
/** Measured runs; one that a garbage collection interrupted (the heap shrank) does not count. */
const RUNS = 5;

describe("reading a value", () => {
  let env!: TestEnvironment;
  const clients = new ClientPool();
  useTestEnvironment(clients, (started) => (env = started));

  it("allocates nothing per get()", async () => {
    const path = uniquePath();
    const values = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`group/key_${i}`, `value-${i}`]));
    await putParameters(env.ssm, path, values);
    const client = await clients.start({ parameterPath: path, ssm: env.ssm, redis: env.redis.url });
    const keys = Object.keys(values);
    const read = (calls: number): number => {
      let length = 0;
      for (let i = 0; i < calls; i++) length += (client.get(keys[i % keys.length] as string) as string).length;
      return length;
    };
    read(CALLS * 5); // optimized before it is measured
    const growth: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const before = process.memoryUsage().heapUsed;
      read(CALLS);
      const grown = process.memoryUsage().heapUsed - before;
      if (grown >= 0) growth.push(grown);
    }
    assert.ok(growth.length > 0, `a garbage collection interrupted each of ${RUNS} runs of ${CALLS} calls`);
    // One allocation per call would be 16 bytes or more each: megabytes over a run.
    assert.ok(Math.min(...growth) < CALLS / 10, `the heap grew by ${Math.min(...growth)} bytes over ${CALLS} calls`);
  });
});
