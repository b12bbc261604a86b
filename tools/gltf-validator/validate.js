// Validate .glb files with the Khronos glTF validator; prints one JSON report per file on stdout
// ({"path", "numErrors", "numWarnings", "numInfos", "messages"}) and exits 1 when any file has an
// error or a warning. Usage: node validate.js FILE.glb...
"use strict";
const fs = require("fs");
const path = require("path");
const validator = require("gltf-validator");

async function validate(file) {
  const report = await validator.validateBytes(new Uint8Array(fs.readFileSync(file)), {
    uri: path.basename(file),
    maxIssues: 0,            // report every issue
    format: "glb",
  });
  const { numErrors, numWarnings, numInfos, messages } = report.issues;
  return { path: file, numErrors, numWarnings, numInfos, messages };
}

(async () => {
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const report = await validate(file);
    failed = failed || report.numErrors > 0 || report.numWarnings > 0;
    console.log(JSON.stringify(report));
  }
  process.exit(failed ? 1 : 0);
})().catch((err) => { console.error(String(err)); process.exit(2); });
