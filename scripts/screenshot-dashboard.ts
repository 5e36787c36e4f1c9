// Takes docs/images/dashboard-overview.png: the overview at 1280×800 after a demo-sized run on
// the standard tier, its charts drawn from the samples the dashboard kept during the run (one
// every 15 s while nobody watches). The emulated Clay runs at 1/10 of its real speed (an
// enrichment takes 2-9 s) so leads pile up awaiting callbacks; Clay's 10 rows/s make the run
// about a minute. Needs Chromium (scripts/install-browser.sh).
// Run: `npx tsx scripts/screenshot-dashboard.ts [leads]` (default 550: the demo's daily cap of
// 5,000 data credits defers leads past ~580), then check the picture stays under ~200 KB.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runPipelineDemo } from "../src/demo/run-pipeline-demo.js";
import { findChromium, launchChromium, openPage } from "../test/ui/browser-kit.js";
import { submitLogin } from "../test/ui/dashboard-kit.js";

const leads = Number(process.argv[2] ?? 550);
const output = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "images");
const chromium = findChromium();
if (!chromium) throw new Error("no Chromium on PATH: run scripts/install-browser.sh first");

const summary = await runPipelineDemo({
  leads,
  timeScale: 10,
  timeoutMs: 15 * 60_000,
  onProgress: (settled, accepted) => process.stdout.write(`\r${settled} / ${accepted} settled`),
  async dashboard(_summary, { url, key }) {
    const browser = await launchChromium(chromium);
    const { page, errors } = await openPage(browser);
    await submitLogin(page, url.replace(/\/ui$/, ""), key);
    // Watched, the overview samples every 2 s: half a minute more of lines, then the picture.
    await page.waitForTimeout(30_000);
    await page.screenshot({ path: join(output, "dashboard-overview.png") });
    await browser.close();
    if (errors.length > 0) throw new Error(`the overview logged errors:\n${errors.join("\n")}`);
  },
});
console.log(`\n${summary.delivered} delivered in ${Math.round(summary.seconds)} s`);
