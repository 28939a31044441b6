#!/usr/bin/env node
// Product code keeps its lines at most 120 characters: the formatter wraps code, not strings and comments.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const LIMIT = 120;
const ROOTS = ["components", "runtime", "stacks", "examples"];
const long = [];
for (const root of ROOTS) {
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const file = join(entry.parentPath, entry.name);
    readFileSync(file, "utf8").split("\n").forEach((line, index) => {
      if (line.length > LIMIT) long.push(`${file}:${index + 1}: ${line.length} characters`);
    });
  }
}
if (long.length > 0) {
  process.stderr.write(`${long.join("\n")}\n${long.length} line(s) over ${LIMIT} characters in product code\n`);
  process.exit(1);
}
