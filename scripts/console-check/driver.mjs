// Drives the system Chromium for ConsoleBrowserTest: one JSON command per stdin line, one JSON answer per stdout
// line ({ id, ok, value } or { id, ok: false, error }). The Java test owns the scenario and every assertion; this
// only does what a user does (open, type, click) and reports what the page shows (text, boxes, screenshots).
import { chromium } from 'playwright-core';
import readline from 'node:readline';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
let context = null;
let page = null;
let problems = [];

async function newPage({ width = 1280, height = 900 } = {}) {
  if (context) await context.close();
  context = await browser.newContext({ viewport: { width, height } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  return null;
}

/** Waits until the first element matching selector has text containing text; returns the text. */
async function waitText({ selector, text, timeout = 10_000 }) {
  try {
    await page.waitForFunction(([s, t]) => {
      const node = document.querySelector(s);
      return node !== null && node.textContent.includes(t);
    }, [selector, text], { timeout, polling: 50 });
  } catch (e) {
    const now = await page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
    throw new Error(`"${selector}" did not show "${text}" within ${timeout} ms; it shows ${JSON.stringify(now)}`);
  }
  return page.evaluate((s) => document.querySelector(s).textContent, selector);
}

const ops = {
  newPage,
  goto: async ({ url }) => { await page.goto(url); return null; },
  url: async () => page.url(),
  fill: async ({ selector, value }) => { await page.fill(selector, value); return null; },
  select: async ({ selector, value }) => { await page.selectOption(selector, value); return null; },
  click: async ({ selector }) => { await page.click(selector); return null; },
  press: async ({ key }) => { await page.keyboard.press(key); return null; },
  focused: async () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName),
  text: async ({ selector }) => page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector),
  visible: async ({ selector }) => page.isVisible(selector),
  count: async ({ selector }) => page.locator(selector).count(),
  waitText,
  box: async ({ selector }) => page.locator(selector).first().boundingBox(),
  scrollWidth: async () => page.evaluate(() => document.documentElement.scrollWidth),
  session: async ({ key }) => page.evaluate((k) => sessionStorage.getItem(k), key),
  problems: async () => problems,
  screenshot: async ({ path }) => { await page.screenshot({ path, fullPage: true }); return null; },
};

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const { id, op, args } = JSON.parse(line);
  if (op === 'quit') break;
  try {
    const value = await ops[op](args || {});
    process.stdout.write(JSON.stringify({ id, ok: true, value: value ?? null }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ id, ok: false, error: String(e.message || e) }) + '\n');
  }
}
await browser.close();
