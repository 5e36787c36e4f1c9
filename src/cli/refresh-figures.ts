/** One line for what a refresh run did, as `refresh --now` and `status` print it. */
import type { RefreshFigures } from "../store/store.js";

export function describeRefreshFigures(figures: RefreshFigures): string {
  const { actions, data } = figures.estimatedCredits;
  const stopped =
    figures.stoppedBy === "maxPerRun"
      ? ", stopped at maxPerRun"
      : figures.stoppedBy === "credits"
        ? ", stopped at its creditShare"
        : "";
  const skipped = figures.skipped > 0 ? ` (${figures.skipped} skipped by enrichIf)` : "";
  return (
    `${figures.refreshed} of ${figures.examined} stale results sent for re-enrichment${skipped}, ` +
    `about ${actions} actions and ${data} data credits${stopped}`
  );
}
