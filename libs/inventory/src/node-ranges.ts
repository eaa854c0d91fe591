/**
 * The pure node-range functions, as `@switchboard/inventory/node-ranges`: importing the
 * package index also loads yaml, chokidar and pino (~50 ms), which a short-lived client
 * such as mctl pays at every start-up only to parse and fold `node[01-10]`.
 * Keep this module's imports free of anything but these leaf modules.
 */
export {
  MAX_NAME_LENGTH,
  MAX_PAD_WIDTH,
  MAX_RANGE_SIZE,
  RangeExpressionError,
  expandRange,
} from './range-expand';
export { foldNames } from './range-fold';
export { compareNatural } from './natural-compare';
