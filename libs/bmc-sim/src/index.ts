export { startSimulatedBmc, startSimulatedFleet } from './bmc';
export type { FleetMemberSpec } from './bmc';
export { allocateLoopbackAddresses, leaseDirectory } from './loopback';
export { ipmitoolArgs, runIpmitool } from './ipmitool';
export type { IpmitoolResult } from './ipmitool';
export { rmcpPing } from './rmcp';
export { CHASSIS_CONTROL_SCRIPT } from './config';
export type {
  BmcBehaviour,
  BmcCounters,
  BmcEndpoint,
  BmcEvent,
  BmcSpec,
  BootDevice,
  PowerState,
  SimulatedBmc,
  SimulatedFleet,
  StartOptions,
} from './types';
