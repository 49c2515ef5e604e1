// docs/API.md lists exactly the actions the server serves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ACTIONS } from "../../src/protocol/table.js";
import { ROOT } from "../e2e/process.js";

test("docs/API.md names every action served, and no other", () => {
  const doc = readFileSync(join(ROOT, "docs/API.md"), "utf8");
  const listed = new Set([...doc.slice(doc.indexOf("<!-- The list below"), doc.indexOf("Describe calls take")).matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1]!));
  const served = new Set(Object.values(ACTIONS).flatMap((t) => Object.keys(t)));
  assert.deepEqual([...served].filter((a) => !listed.has(a)), [], "served but not documented");
  assert.deepEqual([...listed].filter((a) => !served.has(a)), [], "documented but not served");
});
