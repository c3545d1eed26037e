/** Tests run the TypeScript sources directly (swc strips types; `tsc --noEmit` checks them first). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 60000,
  // Two cores: the native pool already uses both, so run test files one at a time.
  maxWorkers: 1,
};
