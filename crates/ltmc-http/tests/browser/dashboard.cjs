// The dashboard in a real browser: `ltmc serve --http` on a fresh data dir
// (seeded with the CLI), Debian's chromium driven by Playwright's library.
// Every page loads with no console error and no failed request and passes
// axe-core (no serious or critical violation); a stored document is found
// first by search; a draft accepted with an edited title and note is then
// recommended by `recommend_fix`, one rejected and one merged from the
// review queue; a guardian rule deactivated on the page no longer fires
// in `ltmc guard check`; a resource deleted with confirmation is gone; a
// cross-site POST is refused; with a token the page asks for it once.
// Screenshots (1280x800 and 390x844) go to the
// test's temporary folder, printed at the end.
//
//   node dashboard.cjs        with LTMC_BIN (the ltmc binary), LTMC_BROWSER_ENV
//                             (scripts/browser-test-env's folder), optionally
//                             LTMC_CHROMIUM and LTMC_KEEP_TMP=1.
"use strict";

const assert = require("node:assert/strict");
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const readline = require("node:readline");

const envDir = process.env.LTMC_BROWSER_ENV;
const bin = process.env.LTMC_BIN;
assert.ok(envDir && bin, "set LTMC_BROWSER_ENV and LTMC_BIN (scripts/test does)");
const { chromium } = require(path.join(envDir, "node_modules", "playwright-core"));
const axeSource = fs.readFileSync(path.join(envDir, "node_modules", "axe-core", "axe.min.js"), "utf8");

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ltmc-dashboard-"));
const shots = path.join(tmp, "screenshots");
const project = path.join(tmp, "project");
fs.mkdirSync(shots);
fs.mkdirSync(project);
const env = {
  ...process.env,
  LTMC_DATA_DIR: path.join(tmp, "data"),
  LTMC_EMBEDDER: "hash",
  LTMC_PROJECT_ROOT: project,
  LTMC_LOG: "warn",
};
// A developer's own settings must not point the test elsewhere.
for (const name of ["LTMC_DATABASE_URL", "LTMC_TOKEN", "LTMC_PROJECT", "LTMC_TOOLS", "LTMC_MODEL_DIR"]) delete env[name];

function ltmc(args, okCodes = [0]) {
  const r = spawnSync(bin, args, { env, cwd: project, encoding: "utf8" });
  assert.ok(okCodes.includes(r.status), `ltmc ${args.join(" ")} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r;
}
const tool = (name, args) => JSON.parse(ltmc(["--json", "tool", "call", name, JSON.stringify(args)]).stdout);

function guardHits(file) {
  const r = ltmc(["--json", "guard", "check", "--format", "json", "--no-record", file], [0, 1]);
  const report = JSON.parse(r.stdout);
  return JSON.stringify(report);
}

async function startServer(...flags) {
  const child = spawn(bin, ["--json", "serve", "--http", "127.0.0.1:0", ...flags], { env, cwd: project, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`ltmc serve exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`ltmc serve did not announce itself: ${stderr}`)), 30000);
  });
  const announced = JSON.parse(first);
  // Nothing but the announcement on stdout.
  let extra = "";
  lines.on("line", (l) => { extra += `${l}\n`; });
  return { child, url: announced.url, extra: () => extra, stderr: () => stderr };
}

async function main() {
  // Seed: documents, a reviewed pattern, a draft with a guardian rule, an
  // audit with an outcome, code attempts.
  for (let i = 0; i < 3; i++) {
    tool("store_memory", { file_name: `note-${i}.md`, content: `Note ${i}: ordinary words about topic ${i}.`, resource_type: "document" });
  }
  const zebra = tool("store_memory", { file_name: "zebra-runbook.md", content: "The zebra migration runbook: move the herd across the river at dawn.", resource_type: "runbook" });
  const doomed = tool("store_memory", { file_name: "obsolete.md", content: "An obsolete note to delete.", resource_type: "document" });
  const reviewed = tool("extract_pattern", { title: "Parameterise SQL queries", problem_description: "SQL built by string concatenation", solution_steps: ["use bind parameters"], problem_type: "Security", layers: 4 });
  tool("review_pattern", { pattern_id: reviewed.pattern_id });
  const audit = tool("upsert_file_audit", { file_path: "src/db.py", layer_number: 4, workflows: ["WF1"], status: "In Progress" });
  tool("record_pattern_outcome", { pattern_id: reviewed.pattern_id, file_audit_id: audit.file_audit_id, success: true, time_saved: 15 });
  tool("upsert_file_audit", { file_path: "src/ui.py", layer_number: 6, workflows: ["WF2"] });
  // Two more drafts, older than the telemetry one: a duplicate of the
  // reviewed pattern (merged on the page) and noise (rejected on the page).
  const duplicate = tool("extract_pattern", { title: "Bind SQL parameters instead of concatenating", problem_description: "SQL text concatenated from user input", solution_steps: ["use bind parameters"], problem_type: "Security", layers: 4 });
  const noise = tool("extract_pattern", { title: "Renamed a variable", problem_description: "A variable had a short name", solution_steps: ["rename it"], problem_type: "Standards", layers: 4 });
  const draftText = "Telemetry upload token pasted into the uploader source";
  const draft = tool("extract_pattern", {
    title: "Keep the telemetry token out of the source", problem_description: draftText,
    solution_steps: ["read TELEMETRY_TOKEN from the environment", "rotate the leaked token"], problem_type: "Security", layers: 5,
    guardian_rules: [{ rule_name: "no-telemetry-token", rule_type: "enforcement", rule_pattern: "TELEMETRY_TOKEN = \"" }],
    code_before: "TELEMETRY_TOKEN = \"abc123\"\nupload(TELEMETRY_TOKEN)", code_after: "TELEMETRY_TOKEN = os.environ[\"TELEMETRY_TOKEN\"]\nupload(TELEMETRY_TOKEN)",
  });
  tool("log_code_attempt", { input_prompt: "parse a date", generated_code: "fn parse() {}", result: "pass" });
  tool("log_code_attempt", { input_prompt: "parse a time", generated_code: "fn parse_time() {}", result: "fail", error_message: "no" });
  const leaky = path.join(project, "uploader.py");
  fs.writeFileSync(leaky, "TELEMETRY_TOKEN = \"abc123\"\n");
  assert.match(guardHits(leaky), /no-telemetry-token/, "the draft's rule fires before it is deactivated");
  // Before review, recommend_fix does not offer the draft.
  const before = tool("recommend_fix", { text: draftText });
  assert.notEqual(before.pattern_id, draft.pattern_id, "an unreviewed draft is not recommended");

  const server = await startServer();
  const base = server.url;
  const browser = await chromium.launch({ executablePath: process.env.LTMC_CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
  const problems = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });

  const visit = async (hash, name) => {
    await page.goto(`${base}/${hash}`);
    await page.waitForSelector("main h1");
    await page.waitForLoadState("networkidle");
    const h1 = await page.textContent("main h1");
    assert.notEqual(h1, "Error", `${hash}: ${await page.textContent("main")}`);
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`), [], `axe on ${hash}`);
    await page.screenshot({ path: path.join(shots, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(shots, `${name}-390.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(problems, [], `while loading ${hash}`);
  };

  const pages = [["#/", "overview"], ["#/memory", "memory"], ["#/review", "review"], ["#/patterns", "patterns"],
    [`#/pattern/${draft.pattern_id}`, "pattern"], ["#/guardian", "guardian"], ["#/audits", "audits"], ["#/attempts", "attempts"],
    [`#/resource/${zebra.resource_id}`, "resource"]];
  for (const [hash, name] of pages) await visit(hash, name);
  await visit("#/", "overview");
  assert.match(await page.textContent("main"), /Store health/);

  // Search: the stored document comes first, with its score breakdown.
  await visit("#/memory", "memory");
  await page.fill("#q", "zebra migration runbook");
  await page.click("form.search button[type=submit]");
  await page.waitForSelector(".hit");
  assert.equal(await page.textContent(".hit a"), "zebra-runbook.md");
  assert.match(await page.textContent(".hit .scores"), /relevance .* score .* similarity .* keyword/);
  await page.screenshot({ path: path.join(shots, "search-1280.png"), fullPage: true });

  // Review queue: the title edited, e edits the note, a accepts; then
  // recommend_fix offers it. Then r rejects the noise and m merges the
  // duplicate into the reviewed pattern (both confirmed).
  await visit("#/review", "review");
  await page.waitForSelector("#accept");
  assert.match(await page.textContent(".draft h2"), /telemetry token/);
  await page.fill("#edit-title", "Keep the telemetry upload token out of the source");
  await page.keyboard.press("Escape");
  await page.keyboard.press("e");
  await page.keyboard.type("Checked: token rotated too.");
  await page.keyboard.press("Escape");
  await page.keyboard.press("a");
  await page.waitForSelector(`.draft h2:has-text("${noise.pattern.title}")`);
  const after = tool("get_pattern", { pattern_id: draft.pattern_id });
  assert.equal(after.pattern.reviewed, true);
  assert.equal(after.pattern.title, "Keep the telemetry upload token out of the source");
  assert.equal(after.pattern.reviewer_notes, "Checked: token rotated too.");
  const recommended = tool("recommend_fix", { text: draftText });
  assert.equal(recommended.pattern_id, draft.pattern_id, JSON.stringify(recommended));
  await page.keyboard.press("r");
  await page.waitForSelector("#confirm-dialog[open]");
  await page.click("#confirm-ok");
  await page.waitForSelector(`.draft h2:has-text("${duplicate.pattern.title}")`);
  // Bulk: two more drafts appear (made now, newest first); x selects the
  // first, the box the second, and "Reject selected" rejects both.
  const bulkA = tool("extract_pattern", { title: "Bulk noise A", problem_description: "noise A", solution_steps: ["nothing"], problem_type: "Standards", layers: 4 });
  const bulkB = tool("extract_pattern", { title: "Bulk noise B", problem_description: "noise B", solution_steps: ["nothing"], problem_type: "Standards", layers: 4 });
  await visit("#/patterns", "patterns");  // away and back: the queue is read again
  await visit("#/review", "review-bulk");
  await page.waitForSelector(`.draft h2:has-text("Bulk noise B")`);
  await page.keyboard.press("x");
  await page.check(`input.pick[data-id="${bulkA.pattern_id}"]`);
  assert.equal(await page.textContent("#bulk-count"), "2 selected");
  await page.click("#bulk-reject");
  await page.waitForSelector("#confirm-dialog[open]");
  await page.click("#confirm-ok");
  await page.waitForSelector(`.draft h2:has-text("${duplicate.pattern.title}")`);
  for (const b of [bulkA, bulkB]) {
    assert.equal(tool("list_pattern_drafts", { limit: 500 }).items.some((i) => i.id === b.pattern_id), false, "bulk-rejected");
  }
  await page.selectOption("#merge-into", String(reviewed.pattern_id));
  await page.keyboard.press("m");
  await page.waitForSelector("#confirm-dialog[open]");
  await page.click("#confirm-ok");
  await page.waitForSelector("text=The queue is empty");
  const queue = tool("list_pattern_drafts", {});
  assert.equal(queue.total, 0, JSON.stringify(queue));
  assert.equal(queue.tombstones, 3, "the rejected drafts are remembered");
  const kept = tool("get_pattern", { pattern_id: reviewed.pattern_id });
  assert.match(kept.pattern.reviewer_notes || "", new RegExp(`merged pattern ${duplicate.pattern_id}`), JSON.stringify(kept.pattern));
  await page.screenshot({ path: path.join(shots, "review-done-1280.png"), fullPage: true });

  // Guardian: deactivate on the page; guard check no longer fires.
  await visit("#/guardian", "guardian");
  await page.click("button:has-text('Deactivate no-telemetry-token')");
  await page.waitForSelector("button:has-text('Activate no-telemetry-token')");
  assert.doesNotMatch(guardHits(leaky), /no-telemetry-token/, "a deactivated rule does not fire");

  // Delete with confirmation.
  await visit(`#/resource/${doomed.resource_id}`, "delete");
  await page.click("main button.danger");
  await page.waitForSelector("#confirm-dialog[open]");
  await page.click("#confirm-ok");
  await page.waitForURL(/#\/memory/);
  const gone = await fetch(`${base}/api/resources/${doomed.resource_id}`);
  assert.equal(gone.status, 404);
  assert.deepEqual(problems.filter((p) => !p.includes(`/api/resources/${doomed.resource_id}`)), []);
  assert.deepEqual(dialogs, [], "no native dialogs");

  // A cross-site page cannot change anything.
  const evil = await context.newPage();
  await evil.route("http://evil.test/**", (r) => r.fulfill({ contentType: "text/html", body: "<!doctype html><title>evil</title><p>hi</p>" }));
  await evil.goto("http://evil.test/");
  const rule = tool("list_guardian_rules", {}).rules.find((r) => r.rule_name === "no-telemetry-token");
  const sent = await evil.evaluate(async ([url, id]) => {
    try {
      const r = await fetch(`${url}/api/rules/${id}/active`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{\"active\": true}" });
      return `read ${r.status}`;
    } catch (e) { return `refused: ${e.message}`; }
  }, [base, rule.id]);
  assert.match(sent, /^refused/, "the browser may not read a cross-site answer (no CORS)");
  // A "simple" request (no preflight) reaches the server, which refuses it.
  await evil.evaluate(([url, id]) => fetch(`${url}/api/rules/${id}/active`, { method: "POST", mode: "no-cors", body: "{\"active\": true}" }).catch(() => null), [base, rule.id]);
  const direct = await fetch(`${base}/api/rules/${rule.id}/active`, { method: "POST", headers: { Origin: "http://evil.test", "Content-Type": "application/json" }, body: "{\"active\": true}" });
  assert.equal(direct.status, 403);
  assert.equal(direct.headers.get("access-control-allow-origin"), null);
  assert.equal(tool("list_guardian_rules", {}).rules.find((r) => r.id === rule.id).active, false, "the cross-site POSTs changed nothing");

  // With a token the page asks for it once and keeps it for the tab.
  const guarded = await startServer("--token", "s3cret-token");
  const tokenPage = await browser.newPage();
  const tokenProblems = [];
  tokenPage.on("pageerror", (e) => tokenProblems.push(`page error: ${e.message}`));
  tokenPage.on("response", (r) => { if (r.status() >= 400 && r.status() !== 401) tokenProblems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await tokenPage.goto(`${guarded.url}/#/`);
  await tokenPage.waitForSelector("#token-dialog[open]");
  await tokenPage.fill("#token-input", "wrong");
  await tokenPage.keyboard.press("Enter");
  await tokenPage.waitForSelector("#token-dialog[open]");
  await tokenPage.fill("#token-input", "s3cret-token");
  await tokenPage.keyboard.press("Enter");
  await tokenPage.waitForSelector("text=Store health");
  for (const hash of ["#/memory", "#/guardian", "#/review"]) {
    await tokenPage.goto(`${guarded.url}/${hash}`);
    await tokenPage.waitForSelector("main h1");
    await tokenPage.waitForLoadState("networkidle");
    assert.equal(await tokenPage.isVisible("#token-dialog[open]"), false, `asked again on ${hash}`);
    assert.notEqual(await tokenPage.textContent("main h1"), "Error", hash);
  }
  assert.deepEqual(tokenProblems, []);
  guarded.child.kill("SIGTERM");
  await new Promise((r) => guarded.child.once("exit", r));

  await browser.close();
  server.child.kill("SIGTERM");
  await new Promise((r) => server.child.once("exit", r));
  assert.equal(server.extra(), "", "the server's stdout holds only its announcement");
  console.log(`dashboard browser test passed: ${pages.length} pages; screenshots in ${shots}`);
}

main().catch((e) => {
  console.error(e);
  console.error(`screenshots and data in ${tmp}`);
  process.exit(1);
}).then(() => {
  if (!process.env.LTMC_KEEP_TMP && process.exitCode !== 1) {
    fs.rmSync(path.join(tmp, "data"), { recursive: true, force: true });
  }
});
