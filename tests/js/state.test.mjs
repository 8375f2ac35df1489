// The page's event hub (static/js/state.js: on, emit), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { emit, on } from "../../static/js/state.js";

test("emit calls each listener of the name, in the order added, with the detail, before returning", () => {
  const heard = [];
  on("run-ended", (run) => heard.push(["first", run.id]));
  on("run-ended", (run) => heard.push(["second", run.id]));
  on("run-detail", (run) => heard.push(["other event", run.id]));

  emit("run-ended", { id: 7 });

  assert.deepEqual(heard, [["first", 7], ["second", 7]]);
});

test("an event nobody listens to is no error", () => {
  assert.doesNotThrow(() => emit("runs-changed"));
});

test("a name the page does not know throws, on listening and on announcing", () => {
  assert.throws(() => on("run-changed", () => {}), /unknown page event: run-changed/);
  assert.throws(() => emit("statuss", {}), /unknown page event: statuss/);
  assert.throws(() => emit("toString"), /unknown page event: toString/);
});
