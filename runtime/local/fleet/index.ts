/**
 * The fleet: example-service processes under supervision, what each one holds against SSM (the
 * `State` RPC), and the acknowledgements they write.
 */
export { ServiceFleet, type ServiceFleetOptions, type FleetInstance } from "./serviceFleet";
export { exampleServiceCommand, packageRoot, type ServiceCommand } from "./serviceEntry";
export { readFleetState, readCurrentVersions, callState, type FleetStateQuery, type FleetState, type InstanceState, type Divergence } from "./fleetState";
export { readAcks, latestAckId, type AckBatch } from "./acks";
