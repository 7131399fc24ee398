import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/isolate-aws-env.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      // No credential chain may ever probe the instance metadata service from a test.
      AWS_EC2_METADATA_DISABLED: "true",
    },
  },
});
