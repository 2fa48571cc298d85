import { fuzzServer } from "./_fuzz.ts";

// 300 requests draw every kind of bad request many times over; the slow suite sends 1,200.
Deno.test("300 generated bad requests all get a 4xx JSON error and the server stays healthy", async () => {
  await fuzzServer(300);
});
