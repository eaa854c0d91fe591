export type {
  IpmiDriverName,
  AwsTarget,
  AzureOffAction,
  AzureTarget,
  BmcConfig,
  CloudTarget,
  Driver,
  Inventory,
  PublicServer,
  ResolveResult,
  ServerEntry,
  ShellPlatform,
} from './types';
export { InventoryError, formatIssue } from './inventory-error';
export type { InventoryIssue } from './inventory-error';
export {
  MAX_NAME_LENGTH,
  MAX_PAD_WIDTH,
  MAX_RANGE_SIZE,
  RangeExpressionError,
  countExpression,
  expandRange,
} from './range-expand';
export type { ExpandOptions } from './range-expand';
export { foldNames } from './range-fold';
export { compareNatural } from './natural-compare';
export { BMC_DEFAULTS } from './bmc-config';
export { DEFAULT_STATUS_OFF_EXIT_CODE, isShellPlatform } from './parse-platforms';
export { CLOUD_PLATFORMS } from './cloud-target';
export { IPMI_DRIVERS } from './types';
export { RESERVED_KEYS, parseInventory } from './parse-inventory';
export { loadInventory } from './load-inventory';
export { watchInventory } from './watch-inventory';
export type { InventoryWatch, WatchOptions } from './watch-inventory';
export { SERVER_UUID_NAMESPACE, serverUuid } from './server-uuid';
