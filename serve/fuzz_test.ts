import { fuzzServer } from "./_fuzz.ts";

Deno.test("1,200 generated bad requests all get a 4xx JSON error and the server stays healthy", async () => {
  await fuzzServer(1200);
});
