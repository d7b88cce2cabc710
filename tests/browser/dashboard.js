// SPDX-License-Identifier: MIT
// The dashboard in a real browser: Debian's chromium driven by playwright-core.
// Run by tests/system/test_dashboard.py:
//   node dashboard.js URL SCREENSHOT IMAGE CONFIG
// After each action it prints "CHECK <json>" (what the page shows) and waits
// for the test to answer "OK" (it matches `zvm info`) or "FAIL why" on stdin.
"use strict";

const path = require("path");
const fs = require("fs");
const os = require("os");
const readline = require("readline");

const top = path.resolve(__dirname, "..", "..");
const { chromium } = require(path.join(top, "build", "deps", "node", "node_modules",
                                       "playwright-core"));
const [url, shot, image, config] = process.argv.slice(2);
const WAIT = 120000;

const answers = readline.createInterface({ input: process.stdin });
const pending = [];
answers.on("line", (l) => { const r = pending.shift(); if (r) r(l); });

async function check(what) {
  process.stdout.write("CHECK " + JSON.stringify(what) + "\n");
  const answer = await new Promise((resolve) => pending.push(resolve));
  if (answer !== "OK") throw new Error(`${JSON.stringify(what)}: ${answer}`);
}

// The row of the VM named `name` once its state cell says `state`.
async function waitRow(page, name, state) {
  const row = page.locator(`#vms tbody tr[data-name="${name}"]`);
  await row.locator(`td.state-${state}`).waitFor({ timeout: WAIT });
  return { id: Number(await row.locator("td.id").textContent()), name, state };
}

// Click a VM's action button and wait for zvm's answer to show.
async function click(page, name, action) {
  await page.locator(`#vms tbody tr[data-name="${name}"] button[data-action="${action}"]`)
    .click();
  await page.waitForFunction((a) => {
    const t = document.querySelector("#message").textContent;
    return t.startsWith(a + ": ") && !t.endsWith("…");
  }, action, { timeout: WAIT });
}

async function lifecycle(page) {
  await page.selectOption("#template", "rtos");
  await page.fill("#new-name", "web1");
  await page.fill("#new-args", "app=hello");
  await page.click("#create-btn");
  await check(await waitRow(page, "web1", "created"));
  for (const [action, state] of [["run", "running"], ["pause", "paused"], ["run", "running"],
                                 ["reset", "running"]]) {
    await click(page, "web1", action);
    await check(await waitRow(page, "web1", state));
  }
  await page.locator('#vms tbody tr[data-name="web1"] td.name').click();
  await page.locator("#devices tbody tr").first().waitFor({ timeout: WAIT });
  const devices = await page.$$eval("#devices tbody tr", (rows) =>
    rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
  await check({ name: "web1", devices });
}

async function builtinTest(page, name) {
  await page.click(`button.test[data-test="${name}"]`);
  const msg = page.locator("#message", { hasText: new RegExp(`test ${name}: \\d+ passed, \\d+ failed`) });
  await msg.waitFor({ timeout: 300000 });
  const text = await msg.textContent();
  const steps = await page.$$eval("#test-results tbody tr", (rows) =>
    rows.map((r) => r.cells[2].textContent));
  await check({ test: name, message: text, steps });
}

async function pushImage(page) {
  await page.setInputFiles("#up-image", image);
  await page.fill("#up-image-name", "my-rtos.elf");
  await page.setInputFiles("#up-config", config);
  await page.click("#upload-btn");
  await check(await waitRow(page, "myvm", "created"));
  await click(page, "myvm", "run");
  await check(await waitRow(page, "myvm", "running"));
}

async function charts(page) {
  // Chart.js keeps its charts; the page has plotted live data for each.
  await page.waitForFunction(() => Object.values(Chart.instances).every(
    (c) => c.data.labels.length >= 3 && c.data.datasets.length > 0), null, { timeout: WAIT });
  const series = await page.evaluate(() => Object.values(Chart.instances).map(
    (c) => [c.canvas.id, c.data.datasets.map((d) => d.label)]));
  const cores = await page.$$eval("#cores tbody tr", (rows) => rows.length);
  await check({ charts: series, cores });
}

async function deleteAll(page) {
  for (const name of ["web1", "myvm"]) {
    const id = Number(await page.locator(`#vms tbody tr[data-name="${name}"] td.id`)
      .textContent());
    await click(page, name, "delete");
    await page.locator(`#vms tbody tr[data-name="${name}"]`).waitFor({ state: "detached",
                                                                       timeout: WAIT });
    await check({ id, name, deleted: true });
  }
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "zvm-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update",
           "--disable-sync"],
    viewport: { width: 1400, height: 1000 },
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on("pageerror", (e) => process.stdout.write("PAGEERROR " + e.message + "\n"));
    await page.goto(url);
    await page.locator("#link.up").waitFor({ timeout: WAIT });
    await lifecycle(page);
    await pushImage(page);
    await builtinTest(page, "lifecycle");
    await builtinTest(page, "interrupts");
    await charts(page);
    await page.screenshot({ path: shot, fullPage: true });
    await deleteAll(page);
    process.stdout.write("DONE\n");
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
    answers.close();
  }
}

main().catch((e) => { process.stdout.write("ERROR " + e.stack + "\n"); process.exit(1); });
