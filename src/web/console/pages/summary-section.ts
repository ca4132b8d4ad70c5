/**
 * The admins' summary on the console's first page (docs/console.md, "The summary"): invites created, used and
 * expired in the last 7 and 30 days, as a small table (src/invites/stats.ts says what each count is).
 */
import type { InviteCounts } from "../../../invites/stats.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../page-context.js";

const ROWS = ["created", "used", "expired"] as const;

/** The column heading of a window: the summary's windows are 7 and 30 days, each with a message of its own. */
function windowHeading(ctx: PageContext, days: number): string {
  return days === 7 || days === 30 ? ctx.t(`console.summary.last${days}`) : String(days);
}

export function summarySection(ctx: PageContext, windows: readonly InviteCounts[]): SafeHtml {
  const numbers = new Intl.NumberFormat(ctx.lang);
  const heads = windows.map((window) => html`<th scope="col">${windowHeading(ctx, window.days)}</th>`);
  const rows = ROWS.map(
    (row) =>
      html`<tr><th scope="row">${ctx.t(`console.summary.${row}`)}</th>${windows.map(
        (window) => html`<td>${numbers.format(window[row])}</td>`,
      )}</tr>`,
  );
  return html`<section class="summary" aria-labelledby="summary-title">
<h2 id="summary-title">${ctx.t("console.summary.title")}</h2>
<table><thead><tr><td></td>${heads}</tr></thead><tbody>${rows}</tbody></table>
<p class="hint">${ctx.t("console.summary.hint")}</p>
</section>`;
}
