/** The dashboard views the benchmark times, with the query strings a person would use. */

/** Paths to time, in the order they are printed. */
export async function benchViews(_baseUrl: string, _cookie: string): Promise<string[]> {
  return ["/ui", "/ui/credits", "/ui/capacity", "/ui/workers", "/ui/config"];
}
