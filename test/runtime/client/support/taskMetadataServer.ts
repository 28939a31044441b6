import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The `/task` document of the ECS task metadata endpoint v4 for an awsvpc task (AWS docs' Fargate example, trimmed). */
export function awsvpcTaskDocument(network: { ipv4?: string[]; ipv6?: string[] }): Record<string, unknown> {
  return {
    Cluster: "arn:aws:ecs:us-west-2:111122223333:cluster/default",
    TaskARN: "arn:aws:ecs:us-west-2:111122223333:task/default/e9028f8d5d8e4f258373e7b93ce9a3c3",
    Family: "shop",
    Revision: "3",
    DesiredStatus: "RUNNING",
    KnownStatus: "RUNNING",
    LaunchType: "FARGATE",
    AvailabilityZone: "us-west-2a",
    Containers: [
      {
        DockerId: "e9028f8d5d8e4f258373e7b93ce9a3c3-2495160603",
        Name: "shop",
        Image: "111122223333.dkr.ecr.us-west-2.amazonaws.com/shop:latest",
        DesiredStatus: "RUNNING",
        KnownStatus: "RUNNING",
        Type: "NORMAL",
        Networks: [
          {
            NetworkMode: "awsvpc",
            ...(network.ipv4 ? { IPv4Addresses: network.ipv4 } : {}),
            ...(network.ipv6 ? { IPv6Addresses: network.ipv6 } : {}),
            AttachmentIndex: 0,
            MACAddress: "0a:da:ff:14:96:6b",
            IPv4SubnetCIDRBlock: "10.0.2.0/24",
            PrivateDNSName: "ip-10-0-2-106.us-west-2.compute.internal",
            SubnetGatewayIpv4Address: "10.0.2.1/24",
          },
        ],
      },
    ],
  };
}

/** The `/task` document of an EC2 task in bridge mode: the container address and its host port mappings. */
export function bridgeTaskDocument(mapping: { containerPort: number; hostPort: number }): Record<string, unknown> {
  return {
    Cluster: "default",
    TaskARN: "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c",
    Family: "shop",
    Revision: "3",
    DesiredStatus: "RUNNING",
    KnownStatus: "RUNNING",
    LaunchType: "EC2",
    Containers: [
      {
        DockerId: "ea32192c8553fbff06c9340478a2ff089b2bb5646fb718b4ee206641c9086d66",
        Name: "shop",
        Image: "shop:latest",
        DesiredStatus: "RUNNING",
        KnownStatus: "RUNNING",
        Type: "NORMAL",
        Ports: [
          { ContainerPort: mapping.containerPort, Protocol: "tcp", HostPort: mapping.hostPort, HostIp: "0.0.0.0" },
          { ContainerPort: mapping.containerPort, Protocol: "tcp", HostPort: mapping.hostPort, HostIp: "::" },
        ],
        Networks: [{ NetworkMode: "bridge", IPv4Addresses: ["172.17.0.2"] }],
      },
    ],
  };
}

/** What the test's endpoint does with a GET of `/task`. */
export type TaskMetadataBehaviour = { document: unknown } | { status: number } | "silent";

/**
 * A task metadata endpoint v4 on loopback: `uri` is what ECS puts in `ECS_CONTAINER_METADATA_URI_V4`
 * (`http://127.0.0.1:<port>/v4/<id>`); it answers `GET <uri>/task` as told and counts the requests.
 */
export class TaskMetadataServer {
  public requests = 0;
  private behaviour: TaskMetadataBehaviour = "silent";

  private constructor(
    private readonly server: Server,
    public readonly uri: string,
  ) {}

  public static async start(): Promise<TaskMetadataServer> {
    let self: TaskMetadataServer | undefined;
    const server = createServer((request, response) => {
      const behaviour = self?.serve(request.url ?? "");
      if (behaviour === undefined) {
        response.writeHead(404).end();
      } else if (behaviour === "silent") {
        // Never answers: the client's time-out must end the wait. The socket closes with the server.
      } else if ("status" in behaviour) {
        response.writeHead(behaviour.status).end("{}");
      } else {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(behaviour.document));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    self = new TaskMetadataServer(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4/e9028f8d5d8e4f258373e7b93ce9a3c3`,
    );
    return self;
  }

  /** Sets what the next GETs of `/task` get. */
  public respond(behaviour: TaskMetadataBehaviour): void {
    this.behaviour = behaviour;
  }

  private serve(url: string): TaskMetadataBehaviour | undefined {
    if (!url.endsWith("/task")) return undefined;
    this.requests++;
    return this.behaviour;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
