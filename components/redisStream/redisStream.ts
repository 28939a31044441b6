import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StreamEngine } from "../pipeline/args";
import { createRedisUsers } from "./redisUsers";

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
  /** The stream key: the users' access strings are derived from it (`runtime/protocol/redisAccess.ts`). */
  streamKey: string;
  /** Name of the SecureString that will hold the refresh function's Redis password. */
  functionPasswordParameterName: string;
  /** Name of the SecureString that will hold the services' Redis password. */
  servicePasswordParameterName: string;
  /** Tags of every resource. */
  tags: Record<string, string>;
  /** `protect` the replication group: Pulumi refuses to delete it (a replacement included). */
  protect?: boolean;
}

/**
 * The Redis stream host: an ElastiCache replication group (cluster mode off) with TLS in transit
 * (required), encryption at rest and role-based access control: the refresh function and the
 * services each have their own user and generated password (`redisUsers.ts`), no AUTH token that
 * allows everything. In private subnets behind its own security group; multi-AZ with automatic
 * failover when asked.
 *
 * @example
 * ```ts
 * const redis = new RedisStream("shop-beta", {
 *   engine: "valkey", engineVersion: "8.0", nodeType: "cache.t4g.micro", replicas: 0, multiAz: false,
 *   port: 6379, snapshotRetentionDays: 0, subnetIds, securityGroupId, streamKey: "config-refresh:{/shop/beta/}",
 *   functionPasswordParameterName: "/config-refresh/shop/beta/redis-auth-token",
 *   servicePasswordParameterName: "/config-refresh/shop/beta/redis-service-password", tags: {} });
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
  /** The SecureString holding the refresh function's password (user `config-refresh-function`). */
  public readonly functionPasswordParameter: aws.ssm.Parameter;
  /** The SecureString holding the services' password (user `config-refresh-service`). */
  public readonly servicePasswordParameter: aws.ssm.Parameter;
  /** The user group of the function, the services and the powerless `default` user. */
  public readonly userGroup: aws.elasticache.UserGroup;
  /** The ElastiCache replication group itself. */
  public readonly replicationGroup: aws.elasticache.ReplicationGroup;

  public constructor(name: string, args: RedisStreamArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(REDIS_STREAM_TYPE, name, {}, opts);
    const users = createRedisUsers(
      name,
      {
        engine: args.engine,
        streamKey: args.streamKey,
        tags: args.tags,
        functionPasswordParameterName: args.functionPasswordParameterName,
        servicePasswordParameterName: args.servicePasswordParameterName,
      },
      this,
    );
    const subnetGroup = new aws.elasticache.SubnetGroup(
      `${name}-redis`,
      {
        description: `config-refresh stream host of ${name}`,
        subnetIds: args.subnetIds,
        tags: args.tags,
      },
      { parent: this },
    );
    const failover = args.replicas > 0;
    this.replicationGroup = new aws.elasticache.ReplicationGroup(
      `${name}-redis`,
      {
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
        // Role-based access control instead of an AUTH token (ElastiCache refuses both at once).
        userGroupIds: [users.userGroup.userGroupId],
        subnetGroupName: subnetGroup.name,
        securityGroupIds: [args.securityGroupId],
        snapshotRetentionLimit: args.snapshotRetentionDays,
        maintenanceWindow: args.maintenanceWindow,
        autoMinorVersionUpgrade: true,
        applyImmediately: false,
        tags: args.tags,
      },
      { parent: this, ...(args.protect ? { protect: true } : {}) },
    );
    this.endpoint = this.replicationGroup.primaryEndpointAddress;
    this.port = this.replicationGroup.port.apply((port) => port ?? args.port);
    this.url = pulumi.interpolate`rediss://${this.endpoint}:${this.port}`;
    this.functionPasswordParameter = users.functionPasswordParameter;
    this.servicePasswordParameter = users.servicePasswordParameter;
    this.userGroup = users.userGroup;
    this.registerOutputs({
      endpoint: this.endpoint,
      port: this.port,
      url: this.url,
      functionPasswordParameterName: this.functionPasswordParameter.name,
      servicePasswordParameterName: this.servicePasswordParameter.name,
    });
  }
}
