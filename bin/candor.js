#!/usr/bin/env node
// The `candor` command: runs the compiled CLI (npm install builds it; so does npm run build).
const path = require("node:path");
const fs = require("node:fs");
const compiled = path.join(__dirname, "..", "dist", "src", "cli", "candor.js");
if (!fs.existsSync(compiled)) {
  console.error("candor is not built yet: run `npm run build` first");
  process.exit(1);
}
require(compiled).cli(process.argv.slice(2));
