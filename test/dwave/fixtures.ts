import fs from 'fs';
import path from 'path';

/** ../shared/dwave/fixtures beside the repository; tests that compare with it skip when it is absent. */
export const FIXTURES = path.resolve(__dirname, '../../../shared/dwave/fixtures');
export const haveFixtures = fs.existsSync(FIXTURES);
if (!haveFixtures) console.warn(`D-Wave fixtures not found at ${FIXTURES}: fixture comparisons are skipped`);
export const fixtureIt = haveFixtures ? it : it.skip;
export const fixture = (rel: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, rel), 'utf8'));
