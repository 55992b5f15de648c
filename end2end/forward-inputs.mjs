// Forward inputs for the browser tests, dated from today so the suite reads the same on any
// day: a GPU rental index (H100 SXM quoted a week and four days ago, B200 four days ago) and a
// hashprice forward curve as of four days ago for the next three months.
//   node end2end/forward-inputs.mjs INDEX.csv CURVE.csv
import fs from "node:fs";

const [index, curve] = process.argv.slice(2);
const day = (offset) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};
const month = (ahead) => {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + ahead);
  return d.toISOString().slice(0, 7);
};
fs.writeFileSync(
  index,
  ["date,gpu_model,usd_per_gpu_hour", `${day(-7)},H100 SXM,2.45`, `${day(-4)},H100 SXM,2.40`, `${day(-4)},B200,3.10`].join("\n") + "\n",
);
fs.writeFileSync(
  curve,
  ["as_of,month,usd_per_ph_day", `${day(-4)},${month(1)},31.50`, `${day(-4)},${month(2)},31.10`, `${day(-4)},${month(3)},30.80`].join("\n") + "\n",
);
