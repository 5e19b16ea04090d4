#!/usr/bin/env node
// The `candor` command: the compiled CLI when built (npm start / npm run build), else the
// TypeScript source through ts-node (installed with the dev dependencies).
const path = require("node:path");
const fs = require("node:fs");
const compiled = path.join(__dirname, "..", "dist", "src", "cli", "candor.js");
if (fs.existsSync(compiled)) {
  require(compiled).cli(process.argv.slice(2));
} else {
  require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
  require("reflect-metadata");
  require(path.join(__dirname, "..", "src", "cli", "candor.ts")).cli(process.argv.slice(2));
}
