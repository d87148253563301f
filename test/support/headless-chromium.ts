// Debian's Chromium, headless, driven by puppeteer-core (which uses the browser it is given and downloads none),
// for the tests of pages. Its profile lives in a directory of the test's own; the browser is closed and the
// directory removed when the test ends, also when it fails. WebGL is SwiftShader's (no GPU here).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { findExecutable } from "../../src/platform/executable.ts";
import { projectRoot } from "./child-process.ts";

export async function headlessChromium(t: TestContext): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "conflux-chromium-"));
  const executablePath = findExecutable("chromium");
  if (executablePath === undefined) throw new Error("chromium is not on PATH: apt-get install -y chromium");
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir: profile,
    args: [
      // As root (CI) Chromium refuses its own sandbox.
      "--no-sandbox",
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
      "--no-first-run",
      "--disable-background-networking",
    ],
  });
  t.after(async () => {
    await browser.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  });
  return browser;
}

/** Where a test saves what a reader would look at (screenshots): test-artifacts/ of the checkout, not tracked. */
export function artefactPath(name: string): string {
  const directory = process.env.CONFLUX_TEST_ARTIFACTS ?? join(projectRoot, "test-artifacts");
  mkdirSync(directory, { recursive: true });
  return join(directory, name);
}

/**
 * A new tab. The test's functions reach the page as their source text, which the TypeScript loader has
 * sprinkled with calls to its helper __name (it keeps functions' names): the page gets a helper of that name.
 */
export async function newTestPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.evaluateOnNewDocument("globalThis.__name = (target) => target;");
  return page;
}
