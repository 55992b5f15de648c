// The wasm tests link the whole app crate, whose lazy routes import their split-off code from
// this placeholder module; the release build's splitter (`cargo xtask build`) rewrites those imports in the real
// build. Under node the tests never open a route, so each import is a function that says so.
module.exports = new Proxy(
  {},
  {
    get: (_, name) =>
      typeof name === "string"
        ? () => {
            throw new Error(`${name}: split-off code is not loaded in the wasm tests`);
          }
        : undefined,
  },
);
