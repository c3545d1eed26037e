export { readBqp, writeBqp } from './bqp';
export { readBiqMac, writeBiqMac } from './biqmac';
export { readGset, writeGset } from './gset';
export type { MaxCutGraph } from './gset';
export { readIsing, writeIsing } from './ising';
export { guessFormat, FORMAT_NAMES } from './guess';
export type { FormatName } from './guess';
