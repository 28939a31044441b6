import { strict as assert } from "node:assert";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { freePort, startLocalPipeline, type LocalPipeline, type ProgressEvent } from "../../../runtime/local";
import { EndpointUnreachableError } from "../../../runtime/operator/errors";
import { descendantPids, isRunning } from "./support/processes";

describe("the local pipeline", function () {
  this.timeout(60_000);
  let pipeline: LocalPipeline;

  before(async function () {
    this.timeout(90_000);
    pipeline = await startLocalPipeline({ invoker: { waitTimeSeconds: 1 } });
  });
  after(() => pipeline?.stop());

  describe("the invoker", () => {
    it("hands a change that arrived while it was stopping to the next invoker, instead of hiding it for the visibility timeout", async () => {
      await pipeline.invoker.stop();
      pipeline.invoker.start();
      // Give the new poll time to be in flight, then stop it and write while its long poll is still open.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stopping = pipeline.invoker.stop();
      const written = await pipeline.writeParameter("checkout/currency", "USD");
      await stopping;
      pipeline.invoker.start();
      // The visibility timeout is 120 s: a message stranded by the stop would not come back within this bound.
      const record = await pipeline.invoker.waitFor(
        (r) => r.result?.published.some((p) => p.name === written.name && p.version === written.version) ?? false,
        15_000,
      );
      assert.ok(record, `version ${written.version} of ${written.name} was never handed to the handler`);
    });
  });

  describe("pointed at endpoints that already hold a pipeline", () => {
    it("reuses the namespace, service, rule and queues, and keeps every existing value (no overwrite)", async () => {
      const written = await pipeline.writeParameter("http/retries", "7");
      const events: ProgressEvent[] = [];
      const second = await startLocalPipeline({
        awsEndpoint: pipeline.connection.endpoint!,
        redisUrl: pipeline.redisUrl,
        onProgress: (event) => void events.push(event),
      });
      try {
        assert.match(
          events.find((e) => e.step === "parameters")?.message ?? "",
          /parameters: 0 created, \d+ kept as they were/,
        );
        assert.equal(second.registry.serviceId, pipeline.registry.serviceId);
        assert.equal(second.rule.queueUrl, pipeline.rule.queueUrl);
        assert.equal(
          second.refreshToken,
          pipeline.refreshToken,
          "the existing refresh token is read back, not replaced",
        );
        assert.deepEqual(second.processes(), [], "it started no server of its own");
        const { Parameter } = await pipeline.clients.ssm.send(new GetParameterCommand({ Name: written.name }));
        assert.equal(Parameter?.Value, "7");
        assert.equal(Parameter?.Version, written.version);
      } finally {
        await second.stop();
      }
      assert.ok(
        pipeline.servers.moto?.pid && isRunning(pipeline.servers.moto.pid),
        "stopping the second pipeline left the first one's servers alone",
      );
    });
  });

  describe("given an endpoint nobody listens on", () => {
    it("fails the start naming the endpoint, and leaves nothing running", async () => {
      const earlier = new Set(descendantPids(process.pid));
      const deadAws = `http://127.0.0.1:${await freePort()}`;
      await assert.rejects(startLocalPipeline({ awsEndpoint: deadAws }), (error: Error) => {
        assert.ok(error instanceof EndpointUnreachableError);
        assert.equal(
          error.message,
          `cannot reach SSM at ${deadAws} (ECONNREFUSED): is it running, and is the address right?`,
        );
        return true;
      });
      const deadRedis = `redis://127.0.0.1:${await freePort()}`;
      await assert.rejects(
        startLocalPipeline({ awsEndpoint: pipeline.connection.endpoint!, redisUrl: deadRedis }),
        (error: Error) => {
          assert.ok(error instanceof EndpointUnreachableError);
          assert.match(error.message, new RegExp(`^cannot reach Redis at ${deadRedis} \\(.*ECONNREFUSED.*\\)`));
          return true;
        },
      );
      assert.deepEqual(
        descendantPids(process.pid).filter((pid) => !earlier.has(pid)),
        [],
        "the redis-server it had started is stopped",
      );
    });
  });
});
