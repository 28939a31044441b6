import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import {
  functionAccessString,
  POWERLESS_ACCESS_STRING,
  REDIS_USER_NAMES,
  serviceAccessString,
} from "../../runtime/protocol/redisAccess";
import type { StreamEngine } from "../pipeline/args";
import { createRedisPassword } from "./authToken";

/** What {@link createRedisUsers} needs. */
export interface RedisUsersArgs {
  engine: StreamEngine;
  /** The stream key: the access strings are derived from it. */
  streamKey: string;
  /** SecureString of the refresh function's password. */
  functionPasswordParameterName: string;
  /** SecureString of the services' password. */
  servicePasswordParameterName: string;
  tags: Record<string, string>;
}

/** The user group of the stream host and the SecureStrings its users read their passwords from. */
export interface RedisUsers {
  userGroup: aws.elasticache.UserGroup;
  functionPasswordParameter: aws.ssm.Parameter;
  servicePasswordParameter: aws.ssm.Parameter;
}

/**
 * The stream host's users (ElastiCache role-based access control), each with a generated password:
 * the refresh function's (writes the stream and its keys), the services' (read the stream, write
 * only the acks) and the `default` user ElastiCache requires in every group, turned off with no
 * command (a connection without a user name gets nothing). Ids are `<name>-redis-<role>`, lowercase:
 * the replication group's name rule (`awsNameRules.ts`) keeps them valid.
 */
export function createRedisUsers(name: string, args: RedisUsersArgs, parent: pulumi.Resource): RedisUsers {
  const id = (role: string): string => `${name}-redis-${role}`.toLowerCase();
  const user = (role: string, userName: string, accessString: string, parameterName?: string) => {
    const password = createRedisPassword(
      `${name}-redis-${role}-password`,
      {
        ...(parameterName !== undefined ? { parameterName } : {}),
        description: `Password of the Redis user ${userName} of the config-refresh stream host ${name} (generated)`,
      },
      args.tags,
      parent,
    );
    const created = new aws.elasticache.User(
      `${name}-redis-${role}`,
      {
        userId: id(role),
        userName,
        engine: args.engine,
        accessString,
        authenticationMode: { type: "password", passwords: [password.value] },
        tags: args.tags,
      },
      { parent },
    );
    return { user: created, parameter: password.parameter };
  };
  const off = user("default", REDIS_USER_NAMES.default, POWERLESS_ACCESS_STRING);
  const { streamKey } = args;
  const fn = user("fn", REDIS_USER_NAMES.function, functionAccessString(streamKey), args.functionPasswordParameterName);
  const svc = user("svc", REDIS_USER_NAMES.service, serviceAccessString(streamKey), args.servicePasswordParameterName);
  const userGroup = new aws.elasticache.UserGroup(
    `${name}-redis`,
    {
      userGroupId: id("users"),
      engine: args.engine,
      userIds: [off.user.userId, fn.user.userId, svc.user.userId],
      tags: args.tags,
    },
    { parent },
  );
  return {
    userGroup,
    functionPasswordParameter: storedPassword(fn.parameter, "fn"),
    servicePasswordParameter: storedPassword(svc.parameter, "svc"),
  };
}

/** The SecureString of a user created with a parameter name (always there: the names are required). */
function storedPassword(parameter: aws.ssm.Parameter | undefined, role: string): aws.ssm.Parameter {
  if (parameter === undefined) throw new Error(`the Redis user ${role} has no password parameter`);
  return parameter;
}
