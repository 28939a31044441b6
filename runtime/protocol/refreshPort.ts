/**
 * The port of the instances' gRPC refresh server, one home for both ends: the pipeline opens it to
 * the refresh function (its `refreshPort`, also a stack output) and a registered client serves and
 * registers it unless told otherwise.
 */

/** The refresh port a pipeline opens when its stack does not choose one. */
export const DEFAULT_REFRESH_PORT = 50051;

/**
 * The environment variable a service's task definition sets from the stack output `refreshPort`
 * (a port, or `any` where no security group filters ports, as in the local pipeline).
 */
export const REFRESH_PORT_ENV = "CONFIG_REFRESH_PORT";
