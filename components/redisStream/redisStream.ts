import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StreamEngine } from "../pipeline/args";
import { createRedisAuthToken } from "./authToken";

/** Type token of {@link RedisStream}. */
export const REDIS_STREAM_TYPE = "config-refresh-pipeline:redisStream:RedisStream";

/** Arguments of {@link RedisStream} (defaults already applied by the pipeline). */
export interface RedisStreamArgs {
  /** `valkey` or `redis`. */
  engine: StreamEngine;
  /** Major.minor, 7 or newer. */
  engineVersion: string;
  /** ElastiCache node type, e.g. `cache.t4g.micro`. */
  nodeType: string;
  /** Read replicas besides the primary; any replica turns automatic failover on. */
  replicas: number;
  /** Spread the nodes over zones (needs a replica). */
  multiAz: boolean;
  /** Port the nodes listen on. */
  port: number;
  /** Daily snapshots kept (0: none). */
  snapshotRetentionDays: number;
  /** Weekly maintenance window (UTC); AWS picks one when absent. */
  maintenanceWindow?: string;
  /** Customer managed KMS key for encryption at rest; the service key when absent. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Private subnets for the subnet group. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The stream host's security group. */
  securityGroupId: pulumi.Input<string>;
  /** Name of the SecureString that will hold the AUTH token. */
  authTokenParameterName: string;
  /** Tags of every resource. */
  tags: Record<string, string>;
  /** `protect` the replication group: Pulumi refuses to delete it (a replacement included). */
  protect?: boolean;
}

/**
 * The Redis stream host: an ElastiCache replication group (cluster mode off) with TLS in transit
 * (required), encryption at rest and a generated AUTH token, in private subnets behind its own
 * security group. Multi-AZ with automatic failover when asked.
 *
 * @example
 * ```ts
 * const redis = new RedisStream("shop-beta", { engine: "valkey", engineVersion: "8.0", nodeType: "cache.t4g.micro", replicas: 0, multiAz: false,
 *   port: 6379, snapshotRetentionDays: 0, subnetIds, securityGroupId, authTokenParameterName: "/config-refresh/shop/beta/redis-auth-token", tags: {} });
 * redis.url; // rediss://master.…:6379
 * ```
 */
export class RedisStream extends pulumi.ComponentResource {
  /** Primary endpoint host. */
  public readonly endpoint: pulumi.Output<string>;
  /** Port of the primary endpoint. */
  public readonly port: pulumi.Output<number>;
  /** `rediss://<endpoint>:<port>` (TLS). */
  public readonly url: pulumi.Output<string>;
  /** The SecureString holding the AUTH token. */
  public readonly authTokenParameter: aws.ssm.Parameter;
  /** The ElastiCache replication group itself. */
  public readonly replicationGroup: aws.elasticache.ReplicationGroup;

  public constructor(name: string, args: RedisStreamArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(REDIS_STREAM_TYPE, name, {}, opts);
    const authToken = createRedisAuthToken(name, args.authTokenParameterName, args.tags, this);
    const subnetGroup = new aws.elasticache.SubnetGroup(`${name}-redis`, {
      description: `config-refresh stream host of ${name}`,
      subnetIds: args.subnetIds,
      tags: args.tags,
    }, { parent: this });
    const failover = args.replicas > 0;
    this.replicationGroup = new aws.elasticache.ReplicationGroup(`${name}-redis`, {
      description: `config-refresh stream host of ${name}`,
      engine: args.engine,
      engineVersion: args.engineVersion,
      nodeType: args.nodeType,
      port: args.port,
      clusterMode: "disabled",
      numCacheClusters: 1 + args.replicas,
      automaticFailoverEnabled: failover,
      multiAzEnabled: args.multiAz,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      atRestEncryptionEnabled: true,
      kmsKeyId: args.kmsKeyArn,
      authToken: authToken.value,
      // On a new token both stay valid until the next SET, so running clients keep their connections.
      authTokenUpdateStrategy: "ROTATE",
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [args.securityGroupId],
      snapshotRetentionLimit: args.snapshotRetentionDays,
      maintenanceWindow: args.maintenanceWindow,
      autoMinorVersionUpgrade: true,
      applyImmediately: false,
      tags: args.tags,
    }, { parent: this, ...(args.protect ? { protect: true } : {}) });
    this.endpoint = this.replicationGroup.primaryEndpointAddress;
    this.port = this.replicationGroup.port.apply((port) => port ?? args.port);
    this.url = pulumi.interpolate`rediss://${this.endpoint}:${this.port}`;
    this.authTokenParameter = authToken.parameter;
    this.registerOutputs({ endpoint: this.endpoint, port: this.port, url: this.url, authTokenParameterName: authToken.parameter.name });
  }
}
