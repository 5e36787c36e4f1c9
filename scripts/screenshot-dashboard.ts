// Takes docs/images/dashboard-overview.png: the overview at 1280×800 during a demo-sized run on
// the standard tier — the demo's config, emulated Clay (at a tenth of its real speed, so leads
// pile up awaiting callbacks) and generated leads, sent in waves over a few minutes while the
// page is open (watched, the overview samples every 2 s, so the charts draw smooth lines).
// Needs Chromium (scripts/install-browser.sh).
// Run: `npx tsx scripts/screenshot-dashboard.ts`, then check the picture stays under ~200 KB.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_INTAKE_KEY, demoConfig } from "../src/demo/demo-config.js";
import { startDemoEmulator } from "../src/demo/demo-emulator.js";
import { freePort } from "../src/demo/free-port.js";
import { DEMO_FREE_MAIL } from "../src/demo/run-pipeline-demo.js";
import { sampleLeadInputs } from "../src/demo/sample-leads.js";
import { createServer } from "../src/server/create-server.js";
import { createPipeline } from "../src/tiers/create-pipeline.js";
import { findChromium, launchChromium, openPage } from "../test/ui/browser-kit.js";
import { submitLogin } from "../test/ui/dashboard-kit.js";

/** The demo's daily cap of 5,000 data credits defers leads past ~580: stay under it. */
const LEADS = 550;
const WAVES = 10;
const WAVE_EVERY_MS = 15_000;

const picture = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "images");
const chromium = findChromium();
if (!chromium) throw new Error("no Chromium on PATH: run scripts/install-browser.sh first");

const dir = mkdtempSync(join(tmpdir(), "claypipe-screenshot-"));
const emulator = await startDemoEmulator({ timeScale: 10, seed: 7 });
const config = demoConfig(emulator, dir, await freePort());
const pipeline = await createPipeline(config);
const server = createServer({ pipeline, config });
const url = await server.listen();
await pipeline.start({ opsUrl: url });
const browser = await launchChromium(chromium);
try {
  const { page, errors } = await openPage(browser);
  await submitLogin(page, url, DEMO_INTAKE_KEY);

  const inputs = sampleLeadInputs({ count: LEADS, seed: 7, freeMail: DEMO_FREE_MAIL });
  const perWave = Math.ceil(inputs.length / WAVES);
  let accepted = 0;
  for (let wave = 0; wave < WAVES; wave++) {
    // One lead a request: the few the demo makes invalid answer 422 on their own.
    for (const lead of inputs.slice(wave * perWave, (wave + 1) * perWave)) {
      const answer = await fetch(`${url}/v1/leads?source=web-form`, {
        method: "POST",
        headers: { authorization: `Bearer ${DEMO_INTAKE_KEY}`, "content-type": "application/json" },
        body: JSON.stringify(lead),
      });
      if (answer.status === 202) accepted++;
    }
    console.log(`wave ${wave + 1} of ${WAVES}: ${accepted} leads accepted`);
    await page.waitForTimeout(WAVE_EVERY_MS);
  }
  for (;;) {
    const { states } = await pipeline.status();
    const settled = states.delivered + states.dead + states.skipped + states.duplicate;
    if (settled >= accepted) break;
    await page.waitForTimeout(1000);
  }
  await page.waitForTimeout(10_000);
  await page.screenshot({ path: join(picture, "dashboard-overview.png") });
  if (errors.length > 0) throw new Error(`the overview logged errors:\n${errors.join("\n")}`);
  console.log(`${accepted} leads settled; the picture is in docs/images/dashboard-overview.png`);
} finally {
  await browser.close();
  await server.close();
  await pipeline.stop();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
