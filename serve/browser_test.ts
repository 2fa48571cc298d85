/**
 * The demo page in headless Chromium (Debian `chromium`, driven by `playwright-core`). The
 * screenshot is kept under `serve/testdata/` (or `COHESIVE_ARTIFACTS`). Without Chromium the
 * test is ignored with a warning, except under CI (`CI=true`), where it fails.
 *
 * @module
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sharedEngines } from "./_test_utils.ts";
import { createApp, ServeState } from "./app.ts";
import { startServer } from "./server.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = Deno.env.get("CI") === "true";
const ARTIFACTS = Deno.env.get("COHESIVE_ARTIFACTS") ??
  join(dirname(fileURLToPath(import.meta.url)), "testdata");

if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(
    `warning: ${CHROMIUM} not found, browser test ignored (apt-get install chromium)`,
  );
}

Deno.test({
  name: "the demo page shows each word's sense and gloss and compares two texts in Chromium",
  ignore: !HAVE_CHROMIUM && !IN_CI,
  sanitizeResources: false, // playwright keeps its pipes to the browser process until it exits
  sanitizeOps: false,
  async fn() {
    assert.ok(HAVE_CHROMIUM, `${CHROMIUM} not found: CI must install Debian's chromium`);
    const { chromium } = await import("playwright-core");
    const state = new ServeState({ engines: await sharedEngines() });
    const server = startServer(createApp({ state }), state, { port: 0 });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-extensions",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 820 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${server.url}/`);
      await page.waitForFunction(`document.getElementById("models").textContent !== "…"`);
      assert.match(await page.textContent("#models") ?? "", /wsd: extended-lesk/);

      await page.fill("#wsd-text", "He sat on the bank of the river and watched the water.");
      await page.click("#wsd-go");
      await page.waitForSelector("tr.sense-row");
      const rows = await page.$$eval(
        "tr.sense-row",
        (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? "")),
      );
      const bank = rows.find((r) => r[0] === "bank");
      assert.ok(bank, JSON.stringify(rows));
      assert.deepEqual(bank.slice(1, 4), ["bank", "noun", "bank%1:17:01::"]);
      assert.match(bank[4], /sloping land/);
      assert.equal(
        await page.textContent("#wsd-text-view"),
        "He sat on the bank of the river and watched the water.",
      );
      assert.match(await page.textContent("#wsd-model") ?? "", /extended-lesk/);

      await page.fill("#sim-a", "I bought a new car.");
      await page.fill("#sim-b", "I purchased a new automobile.");
      await page.click("#sim-go");
      await page.waitForFunction(`document.getElementById("sim-score").textContent !== "–"`);
      const score = Number(await page.textContent("#sim-score"));
      assert.ok(score > 0.3 && score <= 1, `score ${score}`);
      assert.match(await page.textContent("#sim-para") ?? "", /n\/a/);
      assert.equal(await page.textContent("#sim-model"), "lexical");

      // a server error shows up on the page, not as a broken page
      await page.fill("#wsd-text", "   ");
      await page.click("#wsd-go");
      await page.waitForFunction(`document.getElementById("error").textContent !== ""`);
      assert.match(await page.textContent("#error") ?? "", /empty/);
      assert.deepEqual(errors, []);

      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await page.fill("#wsd-text", "He sat on the bank of the river and watched the water.");
      await page.click("#wsd-go");
      await page.waitForFunction(`document.getElementById("error").textContent === ""`);
      const shot = join(ARTIFACTS, "demo_page.png");
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok((await Deno.stat(shot)).size > 10_000);
      console.log(`  screenshot: ${shot}`);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
