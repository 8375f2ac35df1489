// Tests of local-time formats run in a known zone: each test starts in UTC (a test may switch to
// another zone) and the runner's own TZ is put back afterwards. Node reads TZ on every Date call.
import { afterEach, beforeEach } from "node:test";

export function startEachTestInUtc() {
  const savedZone = process.env.TZ;
  beforeEach(() => {
    process.env.TZ = "UTC";
  });
  afterEach(() => {
    if (savedZone === undefined) delete process.env.TZ;
    else process.env.TZ = savedZone;
  });
}
