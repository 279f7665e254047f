// The checkout's stand-in: `npm pack` replaces it with the built JavaScript (bin/build-package.mjs).
export * from "../load/k6/lib/public-api.ts";
