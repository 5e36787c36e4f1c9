/** A far side's answer body: JSON when it parses, else the text (error pages are often HTML). */
export async function readResponseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
