import { test, expect, type Page, type Frame } from "@playwright/test";
import { APP_URL, HOST_URL } from "../playwright.config";

// Account 222 (Globex) starts without ActivTrak; these tests run in order.
test.describe.configure({ mode: "serial" });

async function viewFrame(page: Page): Promise<Frame> {
  const handle = await page.locator("#board-view").elementHandle();
  const frame = await handle!.contentFrame();
  await frame!.waitForSelector("body[data-hydrated='true']");
  return frame!;
}

function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  return problems;
}

test("member of an unconnected account is told to ask an admin", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(`${HOST_URL}/?account=222&user=2002`);
  const frame = await viewFrame(page);
  await expect(frame.locator("[data-state='not-connected']")).toContainText("Ask an admin");
  await expect(frame.locator(".open-settings")).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("member's direct calls of admin functions get 403", async ({ request }) => {
  const minted = await request.get(`${HOST_URL}/monday/session-token?account=222&user=2002`);
  const { token } = await minted.json();

  const link = await request.post(`${APP_URL}/api/create_settings_link`, { data: { session_token: token } });
  expect(link.status()).toBe(403);

  const connect = await request.post(`${APP_URL}/api/connect_activtrak`, {
    data: { api_key: "sandbox-globex-key", region: "us", auth_header: "bearer" },
  });
  expect(connect.status()).toBe(401);
});

test("admin connects in a new tab and the view follows without a reload", async ({ page, context }) => {
  const problems = watchConsole(page);
  await page.goto(`${HOST_URL}/?account=222&user=2001`);
  const frame = await viewFrame(page);
  await expect(frame.locator("[data-state='not-connected']")).toContainText("Connect ActivTrak");
  await frame.evaluate(() => ((window as any).sameDocument = true));

  const settingsTab = context.waitForEvent("page");
  await frame.locator(".open-settings").click();
  const settings = await settingsTab;
  await settings.waitForLoadState();
  await expect(settings).toHaveURL(/\/settings$/);
  await settings.waitForSelector("body[data-hydrated='true']");
  await expect(settings.locator("[data-state='not-connected']")).toBeVisible();

  await settings.locator("input[name='api_key']").fill("not-a-real-key");
  await settings.locator("form.connect button[type='submit']").click();
  await expect(settings.locator(".notice")).toContainText("401");
  await settings.waitForTimeout(2_000);
  await expect(settings.locator(".notice")).toContainText("401");

  await settings.locator("input[name='api_key']").fill("sandbox-globex-key");
  await settings.locator("form.connect button[type='submit']").click();
  await expect(settings.locator("[data-state='connected']")).toBeVisible();
  await expect(settings.locator(".notice")).toContainText("ActivTrak is connected.");
  await expect(settings.locator(".audit-log")).toContainText("connect");

  await expect(frame.locator("[data-state='figures']")).toBeVisible({ timeout: 20_000 });
  expect(await frame.evaluate(() => (window as any).sameDocument)).toBe(true);
  expect(problems).toEqual([]);
});

test("disconnect on the settings page returns the view to not connected", async ({ page, context }) => {
  await page.goto(`${HOST_URL}/?account=222&user=2001`);
  const frame = await viewFrame(page);
  await expect(frame.locator("[data-state='figures']")).toBeVisible();

  const settingsTab = context.waitForEvent("page");
  await frame.locator(".open-settings").click();
  const settings = await settingsTab;
  await settings.waitForSelector("body[data-hydrated='true']");
  await settings.locator("form.disconnect input[type='checkbox']").check();
  await settings.locator("form.disconnect button[type='submit']").click();
  await expect(settings.locator("[data-state='not-connected']")).toBeVisible();

  await page.bringToFront();
  await frame.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(frame.locator("[data-state='not-connected']")).toBeVisible({ timeout: 20_000 });
});

test("settings page signs in with monday OAuth", async ({ page }) => {
  await page.goto(`${APP_URL}/settings`);
  await page.waitForSelector("body[data-hydrated='true']");
  await page.getByText("Sign in with monday").click();

  await expect(page).toHaveURL(/\/monday\/oauth2\/authorize/);
  await page.locator("#user-1001").check();
  await page.locator("#authorize-button").click();

  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/settings$/);
  await expect(page.locator(".signed-in")).toContainText("admin");
  await expect(page.locator("[data-state='connected']")).toBeVisible();
});
