/** One suite, two databases: TEST_DATABASE_URL chooses (unset = a fresh SQLite file per suite). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // The fault tests kill a MariaDB server of their own: slow, run by `npm run test:faults`.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/faults/"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  setupFiles: ["reflect-metadata"],
  testTimeout: 60000,
  // Two cores: keep workers modest. MariaDB suites run in band (see package.json).
  maxWorkers: 2,
};
