import { test, expect, type Page, type Frame, type Request } from "@playwright/test";
import { APP_URL, HOST_URL, ACTIVTRAK_URL } from "../playwright.config";

const ACME_KEY = "sandbox-acme-key";
const MINIMUM_GROUP_SIZE = 5;
const ACTIVE_DAY_SECONDS = 2 * 3600;

type Row = {
  date: string;
  userId: number;
  totalTime: number;
  activeTime: Record<string, number>;
  passiveTime: Record<string, number>;
};

/** Every row of the stand-in for the period, read page by page. */
async function standInRows(from: string, to: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (let page = 1; ; page++) {
    const url = `${ACTIVTRAK_URL}/reports/v2/workinghours/users?from=${from}&to=${to}&page=${page}&pageSize=1000`;
    const response = await fetch(url, { headers: { Authorization: `Bearer ${ACME_KEY}` } });
    expect(response.status).toBe(200);
    const body = await response.json();
    rows.push(...body.activity);
    if (rows.length >= body.total || body.activity.length === 0) return rows;
  }
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The last seven days, ending today (UTC), as the app's default period. */
function defaultPeriod(): { from: string; to: string; dates: string[] } {
  const today = new Date();
  const dates: string[] = [];
  for (let back = 6; back >= 0; back--) {
    dates.push(isoDate(new Date(today.getTime() - back * 86_400_000)));
  }
  return { from: dates[0], to: dates[6], dates };
}

/** The figures worked out here from the raw rows, with the product's definitions. */
function expectedFigures(rows: Row[], dates: string[]) {
  let activeDays = 0;
  let productiveOnActiveDays = 0;
  let activeOnActiveDays = 0;
  let productiveAll = 0;
  let all = 0;
  for (const row of rows) {
    const productive = (row.activeTime.productive ?? 0) + (row.passiveTime.productive ?? 0);
    productiveAll += productive;
    all += row.totalTime;
    if (row.totalTime >= ACTIVE_DAY_SECONDS) {
      activeDays++;
      productiveOnActiveDays += productive;
      activeOnActiveDays += row.activeTime.total ?? 0;
    }
  }
  const hours = (seconds: number) => Math.round(seconds / 36) / 100;
  const series: Record<string, (number | null)[]> = {
    "Productive (active)": [],
    "Productive (passive)": [],
    "Unproductive (active)": [],
    "Unproductive (passive)": [],
    "Undefined (active)": [],
    "Undefined (passive)": [],
  };
  for (const date of dates) {
    const onDay = rows.filter((row) => row.date.startsWith(date));
    const people = new Set(onDay.map((row) => row.userId)).size;
    const sum = (block: "activeTime" | "passiveTime", key: string) =>
      onDay.reduce((total, row) => total + (row[block][key] ?? 0), 0);
    const shown = people >= MINIMUM_GROUP_SIZE;
    series["Productive (active)"].push(shown ? hours(sum("activeTime", "productive")) : null);
    series["Productive (passive)"].push(shown ? hours(sum("passiveTime", "productive")) : null);
    series["Unproductive (active)"].push(shown ? hours(sum("activeTime", "unproductive")) : null);
    series["Unproductive (passive)"].push(shown ? hours(sum("passiveTime", "unproductive")) : null);
    series["Undefined (active)"].push(shown ? hours(sum("activeTime", "undefined")) : null);
    series["Undefined (passive)"].push(shown ? hours(sum("passiveTime", "undefined")) : null);
  }
  return {
    productiveHoursPerDay: productiveOnActiveDays / activeDays / 3600,
    activeHoursPerDay: activeOnActiveDays / activeDays / 3600,
    productiveSharePercent: (productiveAll / all) * 100,
    series,
  };
}

function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

function watchAppRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on("request", (request) => {
    if (request.url().startsWith(APP_URL)) requests.push(request);
  });
  return requests;
}

async function viewFrame(page: Page): Promise<Frame> {
  const handle = await page.locator("#board-view").elementHandle();
  const frame = await handle!.contentFrame();
  expect(frame).not.toBeNull();
  await frame!.waitForSelector("body[data-hydrated='true']");
  return frame!;
}

test("first HTML of the view already holds the figures", async ({ request }) => {
  const { from, to, dates } = defaultPeriod();
  const want = expectedFigures(await standInRows(from, to), dates);
  const minted = await request.get(`${HOST_URL}/monday/session-token?account=111&user=1002`);
  const { token } = await minted.json();

  const response = await request.get(`${APP_URL}/view?sessionToken=${token}`);

  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain(`${want.productiveHoursPerDay.toFixed(1)} h`);
  expect(html).toContain(`${want.activeHoursPerDay.toFixed(1)} h`);
  expect(html).toContain(`${want.productiveSharePercent.toFixed(1)}%`);
  expect(html).not.toContain(token);
  expect(response.headers()["referrer-policy"]).toBe("no-referrer");
});

test("member sees tiles and chart that match the stand-in's rows", async ({ page }) => {
  const problems = watchConsole(page);
  const appRequests = watchAppRequests(page);
  const { from, to, dates } = defaultPeriod();
  const want = expectedFigures(await standInRows(from, to), dates);

  await page.goto(`${HOST_URL}/?account=111&user=1002&width=900`);
  const frame = await viewFrame(page);

  const tile = (label: string) => frame.locator(`[data-tile='${label}'] .tile-value`);
  await expect(tile("Productive Hrs/Day")).toHaveText(`${want.productiveHoursPerDay.toFixed(1)} h`);
  await expect(tile("Active Hrs/Day")).toHaveText(`${want.activeHoursPerDay.toFixed(1)} h`);
  await expect(tile("Productive share")).toHaveText(`${want.productiveSharePercent.toFixed(1)}%`);
  const raw = Number(await tile("Productive Hrs/Day").getAttribute("data-value"));
  expect(Math.abs(raw - want.productiveHoursPerDay)).toBeLessThan(1e-9);

  // Read the drawn chart from ECharts itself.
  await frame.waitForFunction(() => {
    const element = document.getElementById("productivity-by-day");
    return element && (window as any).echarts?.getInstanceByDom(element);
  });
  const drawn = await frame.evaluate(() => {
    const element = document.getElementById("productivity-by-day")!;
    const option = (window as any).echarts.getInstanceByDom(element).getOption();
    return option.series.map((series: any) => ({ name: series.name, data: series.data }));
  });
  expect(drawn.map((series: any) => series.name)).toEqual(Object.keys(want.series));
  for (const series of drawn) {
    expect(series.data, series.name).toEqual(want.series[series.name]);
  }

  // No request from the view depends on a cookie.
  expect(appRequests.length).toBeGreaterThan(0);
  for (const request of appRequests) {
    const headers = await request.allHeaders();
    expect(headers["cookie"], request.url()).toBeUndefined();
  }
  expect(problems).toEqual([]);
});

test("view loads through the SDK when the URL has no token", async ({ page }) => {
  const problems = watchConsole(page);
  const appRequests = watchAppRequests(page);

  await page.goto(`${HOST_URL}/?account=111&user=1002&tokenInUrl=0`);
  const frame = await viewFrame(page);

  await expect(frame.locator("[data-state='figures']")).toBeVisible();
  const serverFunctionCalls = appRequests.filter((request) => request.url().includes("/api/view_insights"));
  expect(serverFunctionCalls.length).toBeGreaterThan(0);
  for (const request of serverFunctionCalls) {
    expect(request.method()).toBe("POST");
    expect((await request.allHeaders())["cookie"]).toBeUndefined();
  }
  expect(problems).toEqual([]);
});

test("theme follows monday without a reload", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(`${HOST_URL}/?account=111&user=1002`);
  const frame = await viewFrame(page);
  await expect(frame.locator("main.board-view")).toHaveClass(/theme-light/);

  await page.selectOption("#theme-select", "dark");

  await expect(frame.locator("main.board-view")).toHaveClass(/theme-dark/);
  const hydratedStill = await frame.locator("body[data-hydrated='true']").count();
  expect(hydratedStill).toBe(1);
  expect(problems).toEqual([]);
});

test("guest is told the account does not allow guests", async ({ page }) => {
  const problems = watchConsole(page);

  await page.goto(`${HOST_URL}/?account=111&user=1003`);
  const frame = await viewFrame(page);

  await expect(frame.locator("[data-state='error']")).toContainText("Guests");
  expect(problems).toEqual([]);
});

test("chart follows the iframe's width without a reload", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(`${HOST_URL}/?account=111&user=1002&width=900`);
  const frame = await viewFrame(page);
  const chartWidth = () =>
    frame.evaluate(() => {
      const element = document.getElementById("productivity-by-day");
      const chart = element && (window as any).echarts?.getInstanceByDom(element);
      return chart ? chart.getWidth() : 0;
    });
  await expect.poll(chartWidth).toBeGreaterThan(0);
  const narrow = await chartWidth();
  await frame.evaluate(() => ((window as any).widthMarker = "same document"));

  await page.selectOption("#width-select", "1300");

  await expect.poll(chartWidth).toBeGreaterThan(narrow + 300);
  expect(await frame.evaluate(() => (window as any).widthMarker)).toBe("same document");
  expect(problems).toEqual([]);
});

test("dark theme from the URL hydrates without warnings", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(`${HOST_URL}/?account=111&user=1001&theme=dark`);
  const frame = await viewFrame(page);
  await expect(frame.locator("main.board-view")).toHaveClass(/theme-dark/);
  await expect(frame.locator("[data-state='figures']")).toBeVisible();
  expect(problems).toEqual([]);
});

test("the board view's settings pick its group and period", async ({ page }) => {
  const problems = watchConsole(page);
  const today = new Date();
  const from = isoDate(new Date(today.getTime() - 13 * 86_400_000));
  const to = isoDate(today);
  const url = `${ACTIVTRAK_URL}/reports/v2/workinghours/users?from=${from}&to=${to}&groupId=101&pageSize=1000`;
  const rows: Row[] = (await (await fetch(url, { headers: { Authorization: `Bearer ${ACME_KEY}` } })).json()).activity;
  const people = new Set(rows.map((row) => row.userId)).size;

  const settings = encodeURIComponent(JSON.stringify({ groups: "101", period_days: "14" }));
  await page.goto(`${HOST_URL}/?account=111&user=1002&settings=${settings}`);
  const frame = await viewFrame(page);

  await expect(frame.locator(".footnote").first()).toContainText(`${people} people, ${rows.length} person-days`);
  expect(problems).toEqual([]);
});
