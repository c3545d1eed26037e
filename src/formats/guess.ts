/** The text formats `qahan solve` reads. */
export const FORMAT_NAMES = ['bqp', 'gset', 'ising', 'biqmac'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

const COMMENT = /^(#|%|c(\s|$))/;

/**
 * Which reader a file needs, decided from its CONTENT first and its file NAME (never the folders above
 * it) second:
 * - first data line with one number (the instance count): bqp;
 * - three numbers (`i j J`): ising;
 * - two numbers (`n m`): Gset and BiqMac look alike. A diagonal entry `i i q` anywhere makes it BiqMac
 *   (Gset graphs have no self-loops); otherwise a BiqMac-style name (`*.bq`, `*.sparse`, `biqmac*`,
 *   `bqp*`, `be*`, `gka*`: the Biq Mac Library's QUBO instances) makes it BiqMac, and anything else is Gset.
 * Anything else falls back on the name (`*bqp*`: bqp) and then on ising, whose reader names the bad line.
 */
export function guessFormat(file: string, text: string): FormatName {
  const name = file.split(/[\\/]/).pop() ?? '';
  const lines = text.split('\n');
  let first: string[] | undefined;
  let diagonal = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || COMMENT.test(line)) continue;
    const tokens = line.split(/\s+/);
    if (!first) {
      first = tokens;
      if (tokens.length !== 2) break;
      continue;
    }
    if (tokens.length >= 2 && tokens[0] === tokens[1]) {
      diagonal = true;
      break;
    }
  }
  const count = first?.length ?? 0;
  if (count === 1) return 'bqp';
  if (count === 3) return 'ising';
  if (count === 2) {
    if (diagonal) return 'biqmac';
    if (/(^biqmac|\.bq$|\.sparse$|^bqp|^be\d|^gka)/i.test(name)) return 'biqmac';
    return 'gset';
  }
  return /bqp/i.test(name) ? 'bqp' : 'ising';
}
