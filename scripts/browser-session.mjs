// What scripts/screenshot.mjs and scripts/first-visit.mjs share: their command line (--base,
// --user, --password, then paths) and Debian's Chromium, started as this machine needs it.
import { chromium } from "@playwright/test";

/** Reads `--name value` options out of `argv` (removing them); what is left are the paths. */
export function commandLine(argv = process.argv.slice(2)) {
  const opt = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = argv[i + 1];
    argv.splice(i, 2);
    return v;
  };
  const base = opt("base", "http://127.0.0.1:3000");
  const user = opt("user", "admin");
  const password = opt("password", process.env.RIGSHIFT_ADMIN_PASSWORD ?? "");
  return { opt, base, user, password, paths: () => (argv.length ? argv : ["/"]) };
}

export function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
}
