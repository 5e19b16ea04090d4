/**
 * The fault tests (npm run test:faults): a private MariaDB server killed and restarted under load,
 * and two Candor processes writing one person. Slow, so kept out of `npm test`.
 */
const base = require("./jest.config");

module.exports = {
  ...base,
  roots: ["<rootDir>/tests/faults"],
  testPathIgnorePatterns: [],
  testTimeout: 600000,
  maxWorkers: 1,
};
