export { watchAndReload } from './watch-and-reload';
export type { Reloading, WatchAndReloadOptions } from './watch-and-reload';
