import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts", "backends/**/*.test.ts"],
    // The fuzz tests run on their own: npm run fuzz (vitest.fuzz.config.ts).
    exclude: ["test/fuzz/**", "**/node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
