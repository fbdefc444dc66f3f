// `npm run fuzz` (scripts/fuzz.sh): the fuzz tests alone, which `npx vitest run` leaves out.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/fuzz/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
