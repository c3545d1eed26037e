/** Tests run the TypeScript sources directly (ts-jest transpiles; `tsc --noEmit` type-checks first). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 60000,
  // Two cores: the native pool already uses both, so run test files one at a time.
  maxWorkers: 1,
};
