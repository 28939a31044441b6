export { fleetVerdicts, type FleetVerdict } from "./fleetVerdict";
export { RefusedValueReverter, REVERT_METRICS, type RefusedValueReverterOptions } from "./RefusedValueReverter";
export { isRevertVersion, revertDescription, REVERT_MARK } from "./revertDescription";
export type { RevertAction, RevertReport, RevertWrite } from "./revertReport";
