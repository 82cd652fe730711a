#!/usr/bin/env node
// The CLI runs the compiled library (npm run build); see README.
require("../dist/launcher/main.js")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
