/**
 * A browser-like client of the dashboard over real HTTP: it logs in with a key
 * through the form, keeps the session cookie, and reads the CSRF token pages
 * carry, so tests can act as a person at the dashboard would.
 */
export interface UiAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface UiClient {
  get(path: string): Promise<UiAnswer>;
  /** Posts a urlencoded form; with `csrf` the session's token is added as `_csrf`. */
  post(path: string, fields: Record<string, string | string[]>, csrf?: boolean): Promise<UiAnswer>;
  readonly csrfToken: string;
  /** The session cookie, `name=value`, for requests of the test's own (the live stream). */
  readonly cookie: string;
}

export async function login(baseUrl: string, key: string): Promise<UiClient> {
  const answer = await fetch(`${baseUrl}/ui/login`, {
    method: "POST",
    body: new URLSearchParams({ key }),
    redirect: "manual",
  });
  if (answer.status !== 303) throw new Error(`login answered ${answer.status}`);
  const cookie = (answer.headers.get("set-cookie") ?? "").split(";")[0]!;
  const read = async (response: Response): Promise<UiAnswer> => ({
    status: response.status,
    headers: response.headers,
    text: await response.text(),
  });
  const get = async (path: string) =>
    read(await fetch(`${baseUrl}${path}`, { headers: { cookie }, redirect: "manual" }));
  const overview = await get("/ui/credits");
  const csrfToken = /"x-csrf-token":"([^"&]+)"|x-csrf-token&quot;:&quot;([^&]+)&quot;/.exec(
    overview.text,
  );
  const token = csrfToken?.[1] ?? csrfToken?.[2] ?? "";
  return {
    get,
    csrfToken: token,
    cookie,
    async post(path, fields, csrf = true) {
      const body = new URLSearchParams();
      for (const [name, value] of Object.entries(fields)) {
        for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
      }
      if (csrf) body.append("_csrf", token);
      return read(
        await fetch(`${baseUrl}${path}`, {
          method: "POST",
          headers: { cookie, origin: baseUrl },
          body,
          redirect: "manual",
        }),
      );
    },
  };
}
