import {
  DeregisterInstanceCommand,
  RegisterInstanceCommand,
  UpdateInstanceCustomHealthStatusCommand,
  type ServiceDiscoveryClient,
} from "@aws-sdk/client-servicediscovery";
import { toError } from "../../common/errors";
import type { ClientEvent } from "../types";
import { addressFamily } from "./ipAddress";

/** The attributes Cloud Map and the refresh Lambda read; scope attributes may not redefine them. */
export const RESERVED_ATTRIBUTE_PREFIX = "AWS_";

/** What a registration needs, resolved. */
export interface RegistrationTarget {
  client: ServiceDiscoveryClient;
  serviceId: string;
  instanceId: string;
  /** IPv4 or IPv6: registered as `AWS_INSTANCE_IPV4` or `AWS_INSTANCE_IPV6`, the attributes the fan-out reads. */
  address: string;
  port: number;
  attributes: Readonly<Record<string, string>>;
  customHealthCheck: boolean;
}

/** Attempts and delay of the health update while a fresh registration propagates (AWS registers asynchronously). */
const HEALTH_ATTEMPTS = 10;
const HEALTH_RETRY_MS = 300;

/**
 * The instance's entry in AWS Cloud Map: `RegisterInstance` with `AWS_INSTANCE_IPV4` (or
 * `AWS_INSTANCE_IPV6`), `AWS_INSTANCE_PORT` and the scope attributes; with a custom health check it
 * registers UNHEALTHY (`AWS_INIT_HEALTH_STATUS`), turns HEALTHY when the client is ready, and
 * UNHEALTHY first when it leaves. Cloud Map applies a custom health update about 30 seconds after
 * it is made, and a deregistration asynchronously: the refresh function may still discover and call
 * the instance for that long, so `closeOnSignals` leaves before the drain and the refresh server
 * answers until `close()`.
 */
export class CloudMapRegistration {
  private leaving: Promise<void> | undefined;

  public constructor(private readonly target: RegistrationTarget) {}

  /** The attributes registered. */
  public attributes(): Record<string, string> {
    return {
      ...this.target.attributes,
      [addressFamily(this.target.address) === "IPv6" ? "AWS_INSTANCE_IPV6" : "AWS_INSTANCE_IPV4"]: this.target.address,
      AWS_INSTANCE_PORT: String(this.target.port),
      ...(this.target.customHealthCheck ? { AWS_INIT_HEALTH_STATUS: "UNHEALTHY" } : {}),
    };
  }

  /** Registers the instance (idempotent: the same id registers again with the same attributes). */
  public async register(): Promise<void> {
    const { client, serviceId, instanceId } = this.target;
    await client.send(
      new RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: instanceId, Attributes: this.attributes() }),
    );
  }

  /** Reports the instance HEALTHY (retrying while the registration propagates). No-op without a custom health check. */
  public async markHealthy(): Promise<void> {
    if (!this.target.customHealthCheck) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.setHealth("HEALTHY");
        return;
      } catch (error) {
        if ((error as Error).name !== "InstanceNotFound" || attempt >= HEALTH_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, HEALTH_RETRY_MS * attempt));
      }
    }
  }

  /** Reports the instance UNHEALTHY. No-op without a custom health check. */
  public async markUnhealthy(): Promise<void> {
    if (this.target.customHealthCheck) await this.setHealth("UNHEALTHY");
  }

  /**
   * Leaves Cloud Map once: UNHEALTHY, then deregistered, each step reported to `report` (a failed
   * step does not stop the next). Later calls return the same promise; it never rejects.
   */
  public leave(report: (event: ClientEvent) => void): Promise<void> {
    this.leaving ??= this.leaveOnce(report);
    return this.leaving;
  }

  /** Deregisters the instance; an instance already gone is fine. */
  public async deregister(): Promise<void> {
    const { client, serviceId, instanceId } = this.target;
    try {
      await client.send(new DeregisterInstanceCommand({ ServiceId: serviceId, InstanceId: instanceId }));
    } catch (error) {
      if ((error as Error).name !== "InstanceNotFound") throw error;
    }
  }

  private async leaveOnce(report: (event: ClientEvent) => void): Promise<void> {
    const { instanceId } = this.target;
    try {
      await this.markUnhealthy();
      report({ type: "registration", action: "unhealthy", instanceId });
    } catch (error) {
      report({ type: "registration-failed", action: "unhealthy", error: toError(error) });
    }
    try {
      await this.deregister();
      report({ type: "registration", action: "deregistered", instanceId });
    } catch (error) {
      report({ type: "registration-failed", action: "deregister", error: toError(error) });
    }
  }

  private async setHealth(status: "HEALTHY" | "UNHEALTHY"): Promise<void> {
    const { client, serviceId, instanceId } = this.target;
    await client.send(
      new UpdateInstanceCustomHealthStatusCommand({ ServiceId: serviceId, InstanceId: instanceId, Status: status }),
    );
  }
}
