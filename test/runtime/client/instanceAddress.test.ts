import { strict as assert } from "node:assert";
import type { NetworkInterfaceInfo } from "node:os";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { SSMClient } from "@aws-sdk/client-ssm";
import { ClientOptionsError, type ConfigClientOptions } from "../../../runtime/client";
import type { HostEnvironment, InterfaceList } from "../../../runtime/client/registration/hostEnvironment";
import { unregistrableReason } from "../../../runtime/client/registration/ipAddress";
import { resolveOptions } from "../../../runtime/client/resolveOptions";
import { awsvpcTaskDocument, bridgeTaskDocument, TaskMetadataServer } from "./support/taskMetadataServer";

const TOKEN = "instance-address-test-token-0123";
const region = "us-east-1";
const credentials = { accessKeyId: "x", secretAccessKey: "x" };
// Never called: resolving options makes no AWS call.
const ssm = new SSMClient({ region, credentials });
const cloudMap = new ServiceDiscoveryClient({ region, credentials });

function nic(address: string, internal = false): NetworkInterfaceInfo {
  const family = address.includes(":") ? "IPv6" : "IPv4";
  return family === "IPv4"
    ? { address, family, internal, netmask: "255.255.255.0", mac: "0a:00:00:00:00:01", cidr: `${address}/24` }
    : {
        address,
        family,
        internal,
        netmask: "ffff:ffff:ffff:ffff::",
        mac: "0a:00:00:00:00:01",
        cidr: `${address}/64`,
        scopeid: 0,
      };
}

/** What a Fargate task's container sees: loopback, and eth0 = the link-local side of the metadata endpoint. */
const FARGATE_LINK_LOCAL_ONLY: InterfaceList = {
  lo: [nic("127.0.0.1", true), nic("::1", true)],
  eth0: [nic("169.254.172.2"), nic("fe80::1")],
};

function hostWith(env: Record<string, string>, interfaces: InterfaceList = FARGATE_LINK_LOCAL_ONLY): HostEnvironment {
  return { env, networkInterfaces: () => interfaces, metadataTimeoutMs: 300 };
}

function options(
  registration: Partial<NonNullable<Extract<ConfigClientOptions["registration"], { serviceId: string }>>> = {},
  server: { host?: string; port?: number } = {},
): ConfigClientOptions {
  return {
    parameterPath: "/shop/beta/",
    ssm,
    redis: "redis://127.0.0.1:6379",
    refreshServer: { tokens: [TOKEN], ...server },
    registration: { client: cloudMap, serviceId: "srv-1", pipelineRefreshPort: 50051, ...registration },
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => assert.fail("resolved"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ClientOptionsError, String(error));
  return error.message;
}

describe("The address a registered instance registers", function () {
  let metadata: TaskMetadataServer;
  before(async () => {
    metadata = await TaskMetadataServer.start();
  });
  after(() => metadata?.stop());
  beforeEach(() => {
    metadata.requests = 0;
  });
  const inTask = (interfaces?: InterfaceList): HostEnvironment =>
    hostWith({ ECS_CONTAINER_METADATA_URI_V4: metadata.uri }, interfaces);

  describe("in an ECS task (ECS_CONTAINER_METADATA_URI_V4 set)", () => {
    it("is the task ENI's IPv4 address from the task metadata (awsvpc), never eth0's link-local address", async () => {
      metadata.respond({ document: awsvpcTaskDocument({ ipv4: ["10.0.2.106"] }) });
      const resolved = await resolveOptions(options(), inTask());
      assert.equal(resolved.registration?.address, "10.0.2.106");
      assert.equal(resolved.refreshServer?.host, undefined, "an IPv4 task listens on the default 0.0.0.0");
      assert.equal(metadata.requests, 1);
    });

    it("is the task's IPv6 address when the task is IPv6-only, and the refresh server listens on [::]", async () => {
      metadata.respond({ document: awsvpcTaskDocument({ ipv6: ["2600:1f14:abc:de00:1234:5678:9abc:def0"] }) });
      const resolved = await resolveOptions(options(), inTask());
      assert.equal(resolved.registration?.address, "2600:1f14:abc:de00:1234:5678:9abc:def0");
      assert.equal(resolved.refreshServer?.host, "[::]");
    });

    it("keeps an explicit refresh host on an IPv6-only task", async () => {
      metadata.respond({ document: awsvpcTaskDocument({ ipv6: ["2600:1f14:abc:de00::10"] }) });
      const resolved = await resolveOptions(options({}, { host: "[::1]" }), inTask());
      assert.equal(resolved.refreshServer?.host, "[::1]");
    });

    it("is refused in bridge mode, saying why and naming the address, the port and the host port mapped to the refresh port", async () => {
      metadata.respond({ document: bridgeTaskDocument({ containerPort: 50051, hostPort: 32768 }) });
      const message = await refusal(resolveOptions(options(), inTask()));
      assert.match(
        message,
        /bridge network mode: 172\.17\.0\.2 is reachable only from its EC2 host, never from the refresh function/,
      );
      assert.match(message, /pass registration\.address \(the host's private address\) and registration\.port/);
      assert.match(message, /maps container port 50051 to host port 32768/);
    });

    it("registers the host's address and port given in bridge mode, without reading the metadata", async () => {
      metadata.respond({ document: bridgeTaskDocument({ containerPort: 50051, hostPort: 50051 }) });
      const resolved = await resolveOptions(options({ address: "10.0.1.20", port: 50051 }), inTask());
      assert.equal(resolved.registration?.address, "10.0.1.20");
      assert.equal(resolved.registration?.port, 50051);
      assert.equal(metadata.requests, 0);
    });

    it("refuses an address alone in bridge mode (the container port is not the host's)", async () => {
      metadata.respond({ document: bridgeTaskDocument({ containerPort: 50051, hostPort: 32768 }) });
      assert.match(await refusal(resolveOptions(options({ address: "10.0.1.20" }), inTask())), /bridge network mode/);
    });

    it("is refused when the endpoint does not answer, after a bounded wait, naming the endpoint and what to set", async () => {
      metadata.respond("silent");
      const message = await refusal(resolveOptions(options(), inTask()));
      assert.match(
        message,
        /ECS_CONTAINER_METADATA_URI_V4 is set but the task metadata endpoint http:\/\/127\.0\.0\.1:\d+\/v4\/\w+\/task/,
      );
      assert.match(message, /did not answer within 300 ms \(3 attempts\)/);
      assert.match(message, /pass registration\.address and registration\.port/);
      assert.equal(metadata.requests, 3);
    });

    it("is refused at once when the endpoint answers 404 or something that is not a task document", async () => {
      metadata.respond({ status: 404 });
      assert.match(await refusal(resolveOptions(options(), inTask())), /answered HTTP 404/);
      assert.equal(metadata.requests, 1);
      metadata.respond({ document: { Containers: "none" } });
      assert.match(await refusal(resolveOptions(options(), inTask())), /did not answer a task document/);
    });

    it("is refused when the task metadata lists only a link-local address", async () => {
      metadata.respond({ document: awsvpcTaskDocument({ ipv4: ["169.254.172.2"] }) });
      assert.match(
        await refusal(resolveOptions(options(), inTask())),
        /lists no registrable address for the task's ENI \(169\.254\.172\.2\)/,
      );
    });

    it("comes from the interfaces in host mode", async () => {
      metadata.respond({ document: { Containers: [{ Name: "shop", Networks: [{ NetworkMode: "host" }] }] } });
      const resolved = await resolveOptions(options(), inTask({ ...FARGATE_LINK_LOCAL_ONLY, ens5: [nic("10.0.3.7")] }));
      assert.equal(resolved.registration?.address, "10.0.3.7");
    });
  });

  describe("when ECS serviceRegistries registers the task", () => {
    const platform = (server: { host?: string } = {}): ConfigClientOptions => ({
      ...options({}, server),
      registration: { registeredBy: "ecs", pipelineRefreshPort: 50051 },
    });

    it("registers nothing itself, and listens on [::] when the task is IPv6-only", async () => {
      metadata.respond({ document: awsvpcTaskDocument({ ipv6: ["2600:1f14:abc:de00::10"] }) });
      const resolved = await resolveOptions(platform(), inTask());
      assert.equal(resolved.registration, undefined);
      assert.equal(resolved.refreshServer?.host, "[::]");
      assert.equal(resolved.refreshServer?.port, 50051);
    });

    it("does not read the task metadata when the refresh host and the instance id are given", async () => {
      metadata.respond("silent");
      const given = { ...platform({ host: "0.0.0.0" }), instanceId: "task-1" };
      assert.equal((await resolveOptions(given, inTask())).refreshServer?.host, "0.0.0.0");
      assert.equal(metadata.requests, 0);
    });

    it("refuses what only a client-made registration uses, and a missing refresh server", async () => {
      const mixed = {
        ...options(),
        registration: { registeredBy: "ecs", serviceId: "srv-1" },
      } as unknown as ConfigClientOptions;
      assert.match(await refusal(resolveOptions(mixed, hostWith({}))), /registration: Unrecognized key: "serviceId"/);
      const { refreshServer: _server, ...serverless } = platform();
      assert.match(
        await refusal(resolveOptions(serverless, hostWith({}))),
        /registration: registeredBy "ecs" needs a refreshServer/,
      );
      const unknown = { ...options(), registration: { registeredBy: "kubernetes" } } as unknown as ConfigClientOptions;
      assert.match(
        await refusal(resolveOptions(unknown, hostWith({}))),
        /registration\.registeredBy: must be "client" or "ecs"/,
      );
    });
  });

  describe("outside ECS", () => {
    it("is refused, naming what to set, when the only non-internal interface is link-local", async () => {
      const message = await refusal(resolveOptions(options(), hostWith({})));
      assert.match(message, /registration\.address: ECS_CONTAINER_METADATA_URI_V4 is not set \(not an ECS task\)/);
      assert.match(message, /not link-local \(eth0 169\.254\.172\.2, eth0 fe80::1\)/);
      assert.match(message, /pass registration\.address/);
    });

    it("is the first non-internal IPv4 address that is not link-local, before any IPv6 one", async () => {
      const interfaces = { ...FARGATE_LINK_LOCAL_ONLY, eth1: [nic("2600:1f14::5"), nic("10.0.2.106")] };
      assert.equal((await resolveOptions(options(), hostWith({}, interfaces))).registration?.address, "10.0.2.106");
    });

    it("is a global IPv6 address when the host has no IPv4 one to register", async () => {
      const interfaces = { ...FARGATE_LINK_LOCAL_ONLY, eth1: [nic("2600:1f14::5")] };
      const resolved = await resolveOptions(options(), hostWith({}, interfaces));
      assert.equal(resolved.registration?.address, "2600:1f14::5");
      assert.equal(resolved.refreshServer?.host, "[::]");
    });

    it("refuses a link-local or unspecified address given explicitly", async () => {
      for (const address of ["169.254.172.2", "fe80::1", "febf::1", "0.0.0.0", "::", "::ffff:169.254.1.1"]) {
        assert.match(
          await refusal(resolveOptions(options({ address }), hostWith({}))),
          /registration\.address: .*(link-local|unspecified)/,
          address,
        );
      }
    });
  });

  it("knows which addresses can never be registered", () => {
    for (const address of [
      "169.254.0.1",
      "169.254.255.255",
      "fe80::abcd",
      "fe9f::1",
      "febf:ffff::1",
      "0.0.0.0",
      "::",
      "0:0:0:0:0:0:0:0",
    ]) {
      assert.ok(unregistrableReason(address), address);
    }
    for (const address of ["10.0.2.106", "127.0.0.1", "169.253.1.1", "2600:1f14::5", "fec0::1", "::1", "fd00::1"]) {
      assert.equal(unregistrableReason(address), undefined, address);
    }
  });
});
