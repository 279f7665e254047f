import type { Page } from "playwright-core";
import type { JourneyContext } from "../../../api/index.ts";

const latestSelector = '[data-testid="latest-reading"]';

/**
 * A person opens trackr's dashboard (GET /) and waits until the latest reading shown changes to a newer one (the
 * device fleet keeps writing). trackr has no sign-in, so there is no sign-in step.
 */
export default async function dashboardJourney(page: Page, ctx: JourneyContext): Promise<void> {
  const opened = await ctx.step(
    "open",
    async () => {
      const response = await page.goto(`${ctx.baseUrl}/`, { waitUntil: "domcontentloaded", timeout: ctx.stepTimeoutMs });
      const status = response?.status() ?? 0;
      const node = (await response?.headerValue("x-served-by")) ?? undefined;
      return { outcome: status === 200 ? "ok" : status === 502 || status === 504 ? "unknown" : "fail", cause: `open_http_${status}`, ...(node ? { node } : {}) };
    },
    // A navigation that timed out may still have been served.
    { timeoutIs: "unknown" },
  );
  if (!opened) return;
  let firstId = "";
  const sawLatest = await ctx.step("latest", async () => {
    const handle = await page.waitForFunction((selector) => (document.querySelector(selector) as HTMLElement | null)?.dataset.readingId || undefined, latestSelector, { timeout: ctx.stepTimeoutMs });
    firstId = String(await handle.jsonValue());
    return { outcome: "ok", cause: "latest_shown" };
  });
  if (!sawLatest) return;
  await ctx.step("newer", async () => {
    await page.waitForFunction(
      ([selector, first]) => {
        const id = (document.querySelector(selector!) as HTMLElement | null)?.dataset.readingId;
        return id !== undefined && id !== "" && id !== first;
      },
      [latestSelector, firstId] as const,
      { timeout: ctx.stepTimeoutMs },
    );
    return { outcome: "ok", cause: "newer_shown" };
  });
}
