import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run); Playwright's own browser download is not available here. */
export const CHROMIUM = process.env.AIU_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set AIU_CHROMIUM).`;
  if (process.env.CI === 'true') throw new Error(`${message} CI requires it.`);
  console.warn(`\n⚠⚠⚠ SKIPPING browser tests: ${message}\n`);
  return false;
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags Chromium keeps dialling out of a closed network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe on the page as it is now: every violation, by rule and the first node it hit. */
export async function axeViolations(target: Page): Promise<string[]> {
  await target.addScriptTag({ path: AXE });
  return target.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => `${violation.id} at ${JSON.stringify(violation.nodes[0]?.target)}`);
  });
}
