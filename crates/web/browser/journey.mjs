// The browser journey (浏览器端到端测试) of issue 4, in headless Chromium (Debian's package)
// driven by playwright-core (no browser download): 填报人 imports the seed, fixes a finding in
// the editor while the engine recomputes as they type, submits; 审核人 comments and returns it;
// the filler fixes and resubmits; the reviewer approves; the public sees it without login and
// can download it as .xlsx; the filler's dashboard leads to the list filtered by a finding;
// the administrator's page lists the users. The seed is imported twice: pasted as text, and
// uploaded as .xlsx (written by `jixiao convert`). A screenshot of every page goes to the
// screenshots folder.
//
//   node journey.mjs BASE_URL SEED_FILE SCREENSHOT_DIR SEED_XLSX   (scripts/browser-test.sh runs it)
import { chromium } from "playwright-core";
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, seedFile, shots, seedXlsx] = process.argv.slice(2);
if (!base || !seedFile || !shots || !seedXlsx) {
  console.error("usage: node journey.mjs BASE_URL SEED_FILE SCREENSHOT_DIR SEED_XLSX");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const seed = readFileSync(seedFile, "utf8");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const profile = mkdtempSync(join(tmpdir(), "jixiao-chromium-"));
const args = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

let passed = 0;
let failed = 0;
let page;
const errors = [];

function check(cond, what) {
  if (!cond) { throw new Error("check failed: " + what); }
  passed++;
  console.log("  ok  " + what);
}

async function shot(name) {
  await page.screenshot({ path: join(shots, name + ".png") });
  console.log("  screenshot " + name + ".png");
}

async function login(user) {
  await page.goto(base + "/login");
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", "demo");
  await Promise.all([
    page.waitForURL((u) => u.pathname === "/" || u.pathname === "/admin"),
    page.click("form[action='/login'] button[type=submit]"),
  ]);
  check((await page.textContent("header.top")).includes("（"), "logged in as " + user);
}

async function logout() {
  await Promise.all([page.waitForURL(base + "/login"), page.click("form[action='/logout'] button")]);
}

/// The index of the editor row whose 三级指标 is `name`.
async function rowIndex(name) {
  return page.$$eval("#rows tr.row textarea[name='ind.name']", (els, n) => els.findIndex((e) => e.value === n), name);
}

async function action(label, reason) {
  const card = page.locator("form[action$='/action']", { has: page.locator("button", { hasText: label }) });
  if (reason !== undefined) { await card.locator("textarea[name=reason]").fill(reason); }
  await Promise.all([page.waitForLoadState("load"), card.locator("button").click()]);
  await page.waitForSelector("p.meta");
}

const INDICATOR = "工伤鉴定认定准确送达率";

async function journey() {
  // Before anything: the public list, and the login page.
  await page.goto(base + "/login");
  await shot("01-login");

  // 填报人: import the seed (paste), preview, save as drafts.
  await login("filler");
  await shot("02-list-filler");
  await Promise.all([page.waitForURL(base + "/import"), page.click("a[href='/import']")]);
  await page.fill("textarea[name=text]", seed);
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/import'] button[type=submit]")]);
  await page.waitForSelector("form[action='/import/save']");
  check((await page.textContent("main")).includes("读出 3 张表"), "the import preview reads 3 forms");
  check((await page.textContent("main")).includes("MET_BUT_DEDUCTED"), "the preview shows the findings");
  await shot("03-import-preview");
  await Promise.all([page.waitForURL(/\/\?imported=3$/), page.click("form[action='/import/save'] button")]);
  check((await page.textContent("main")).includes("已导入 3 张草稿"), "saved as 3 drafts");

  // The same forms uploaded as .xlsx: the same preview, saved as 3 more drafts.
  await Promise.all([page.waitForURL(base + "/import"), page.click("a[href='/import']")]);
  await page.setInputFiles("input[name=file]", seedXlsx);
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/import'] button[type=submit]")]);
  await page.waitForSelector("form[action='/import/save']");
  const xlsxPreview = await page.textContent("main");
  check(xlsxPreview.includes("读出 3 张表") && xlsxPreview.includes(".xlsx"), "the .xlsx upload reads 3 forms");
  check(xlsxPreview.includes("MET_BUT_DEDUCTED"), "the .xlsx preview shows the same findings");
  await shot("04a-import-xlsx-preview");
  await Promise.all([page.waitForURL(/\/\?imported=3$/), page.click("form[action='/import/save'] button")]);
  check((await page.textContent("ul.counts")).includes("草稿 9"), "9 drafts: the demo's 3, pasted 3, uploaded 3");
  await shot("04-list-imported");

  // Open the imported 工伤鉴定 (the newest, the list is newest first).
  await Promise.all([page.waitForLoadState("load"), page.locator("table.list a", { hasText: "工伤鉴定" }).first().click()]);
  await page.waitForSelector("#editor");
  const url = page.url().replace(/\?.*$/, "");
  const id = url.split("/").pop();
  check(/^\d+$/.test(id) && Number(id) > 3, "opened the imported form #" + id);
  const i = await rowIndex(INDICATOR);
  check(i >= 0, "the editor shows " + INDICATOR);
  const row = page.locator("#rows tr.row").nth(i);
  await row.scrollIntoViewIfNeeded();
  check((await page.textContent("#findings")).includes("却只得 5 分"), "the finding MET_BUT_DEDUCTED is listed");
  check(await row.evaluate((tr) => tr.classList.contains("flagged")), "its row is flagged");
  const totalBefore = (await page.textContent("#c-total")).trim();
  check((await row.locator(".c-ind").textContent()).trim() === "7", "computed score 7 (met)");
  await shot("05-editor");

  // Live: type a lower actual, watch the computed score and total fall; then put it back.
  await row.locator("input[name='ind.actual']").fill("90%");
  await page.waitForFunction((n) => document.querySelectorAll("#rows tr.row .c-ind")[n].textContent.trim() === "6.63", i);
  const totalLow = (await page.textContent("#c-total")).trim();
  check(totalLow !== totalBefore, `the computed total moved as typed: ${totalBefore} → ${totalLow}`);
  await row.scrollIntoViewIfNeeded();
  await shot("06-editor-live");
  await row.locator("input[name='ind.actual']").fill("99%");
  await row.locator("input[name='ind.score']").fill("7");
  await page.waitForFunction(([n, t]) => document.querySelectorAll("#rows tr.row .c-ind")[n].textContent.trim() === "7"
    && document.getElementById("c-total").textContent.trim() === t, [i, totalBefore]);
  check(true, "back to the computed score 7 and total " + totalBefore);
  check(!(await page.textContent("#findings")).includes("却只得 5 分"), "the finding is gone as typed");
  check(!(await row.evaluate((tr) => tr.classList.contains("flagged"))), "the row is no longer flagged");
  // Reorder and remove rows in place: add a row, move it up, remove it.
  const nRows = await page.locator("#rows tr.row").count();
  await page.click("button[data-row=add]");
  check((await page.locator("#rows tr.row").count()) === nRows + 1, "a row added");
  await page.locator("#rows tr.row").last().locator("button[data-row=up]").click();
  check((await page.locator("#rows tr.row").nth(nRows - 1).locator(".n").textContent()) === String(nRows), "rows renumbered");
  await page.locator("#rows tr.row").nth(nRows - 1).locator("button[data-row=remove]").click();
  check((await page.locator("#rows tr.row").count()) === nRows, "the row removed");
  await Promise.all([page.waitForURL(/saved=1/), page.locator("#editor .toolbar button[value=save]").first().click()]);
  check((await page.textContent("main")).includes("已保存"), "saved");
  check(!(await page.textContent("#findings")).includes("却只得 5 分"), "the saved form no longer has the finding");
  await shot("07-editor-saved");
  await action("提交");
  check((await page.textContent("p.meta")).includes("已提交"), "submitted");
  await logout();

  // 审核人: a comment on the indicator, return with a reason.
  await login("reviewer");
  await page.goto(url);
  await page.selectOption("form[action$='/comment'] select[name=indicator]", String(i));
  await page.fill("form[action$='/comment'] textarea[name=body]", "请补充送达率偏差的改进措施");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action$='/comment'] button")]);
  check((await page.textContent("ul.comments")).includes(INDICATOR), "the comment names the indicator");
  await action("退回", "改进措施不具体，请补充");
  check((await page.textContent("p.meta")).includes("已退回"), "returned");
  check((await page.textContent("p.returned-banner")).includes("改进措施不具体"), "the reason is shown at the top");
  await shot("08-reviewer-returned");
  await logout();

  // 填报人: sees why, fixes, resubmits.
  await login("filler");
  await page.goto(url);
  check((await page.textContent("main")).includes("改进措施不具体"), "the filler sees the reason");
  const r2 = page.locator("#rows tr.row").nth(await rowIndex(INDICATOR));
  await r2.scrollIntoViewIfNeeded();
  await r2.locator("textarea[name='ind.reason']").fill("企业搬迁致邮件退回：已建立退件台账，逐件电话核实地址后重寄");
  await Promise.all([page.waitForURL(/saved=1/), page.locator("#editor .toolbar button[value=save]").first().click()]);
  await shot("09-filler-fixed");
  await action("提交");
  check((await page.textContent("p.meta")).includes("已提交"), "resubmitted");
  await logout();

  // 审核人: approve.
  await login("reviewer");
  await page.goto(url);
  await action("审核通过");
  check((await page.textContent("p.meta")).includes("已审核"), "approved");
  await shot("10-reviewer-approved");
  await logout();

  // The public, no login.
  await page.goto(base + "/public/");
  check((await page.textContent("main")).includes("工伤鉴定"), "on the public list");
  await shot("11-public-list");
  await page.goto(base + "/public/" + id);
  check((await page.textContent("main")).includes("企业搬迁致邮件退回"), "the public form shows the fix");
  const download = await page.locator(`a[href='/public/${id}/xlsx']`).getAttribute("href");
  const xlsx = await page.request.get(base + download);
  check(xlsx.status() === 200 && (await xlsx.body()).subarray(0, 2).toString() === "PK", "the .xlsx download is a workbook");
  await shot("12-public-form");

  // 填报人's dashboard: charts by status and grade, the most frequent findings; a finding
  // leads to the list filtered by it, with the filter kept in the sort and page links.
  await login("filler");
  await Promise.all([page.waitForURL(/\/dashboard/), page.click("header.top a[href='/dashboard']")]);
  check((await page.locator("figure.chart svg").count()) === 2, "two SVG charts");
  const top = page.locator("table.top-codes tbody tr").first();
  const code = (await top.locator("code").textContent()).trim();
  const forms = (await top.locator("td.num").textContent()).trim();
  check(/^[A-Z_]+$/.test(code) && Number(forms) > 0, `the most frequent finding: ${code} in ${forms} forms`);
  await shot("13-dashboard");
  await Promise.all([page.waitForURL(/code=/), top.locator("td a").first().click()]);
  check((await page.locator("select[name=code]").inputValue()) === code, "the list is filtered by " + code);
  check((await page.textContent("nav.pager")).includes(`共 ${forms} 张`), `${forms} forms listed`);
  await Promise.all([page.waitForURL(/sort=total/), page.click("table.list th a[href*='sort=total']")]);
  check(page.url().includes("code=" + code), "sorting keeps the filter");
  await shot("14-list-filtered");
  await logout();

  // 管理员: the users and organisations.
  await login("admin");
  check((await page.textContent("h1")).includes("管理"), "the administrator lands on the administration page");
  check((await page.textContent("table.admin-users")).includes("filler"), "the users are listed");
  await shot("15-admin");
}

const context = await chromium.launchPersistentContext(profile, {
  executablePath, headless: true, args, viewport: { width: 1280, height: 900 },
});
try {
  page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(15000);
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    // A browser asks for /favicon.ico by itself; there is none.
    if (m.type() === "error" && !String(m.location().url).includes("favicon")) { errors.push(m.text()); }
  });
  await journey();
  check(errors.length === 0, "no script or console errors" + (errors.length ? ": " + errors.join("; ") : ""));
} catch (e) {
  failed++;
  console.error("FAILED: " + (e && e.stack ? e.stack : e));
  console.error("script/console errors: " + JSON.stringify(errors));
  try { await page.screenshot({ path: join(tmpdir(), "jixiao-journey-failure.png") }); } catch (_) { /* ignore */ }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`browser journey: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
