// Writes a week of 15-minute HB_WEST prices ending today (UTC) in the plain import format, for
// the browser tests' server: $28-$46 through the day, and a $4,800 spike from 20:45 to 22:30 UTC
// each day (a Texas summer afternoon peak), so curtailment has something to shade.
import { writeFileSync } from "node:fs";

const out = process.argv[2] ?? "target/e2e-prices.csv";
const day = 24 * 3600 * 1000;
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const lines = ["settlement_point,interval_start_utc,usd_per_mwh"];
for (let t = today - 7 * day; t < today + day; t += 15 * 60 * 1000) {
  const minutes = (t % day) / 60000;
  const spike = minutes >= 20 * 60 + 45 && minutes < 22 * 60 + 45;
  const shape = 28 + 18 * Math.max(0, Math.sin(((minutes / 60 - 8) / 24) * 2 * Math.PI));
  lines.push(`HB_WEST,${new Date(t).toISOString().replace(".000Z", "Z")},${(spike ? 4800 : shape).toFixed(2)}`);
}
writeFileSync(out, lines.join("\n") + "\n");
