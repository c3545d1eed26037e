export { readBqp, writeBqp } from './bqp';
export { readGset, writeGset } from './gset';
export type { MaxCutGraph } from './gset';
export { readIsing, writeIsing } from './ising';
