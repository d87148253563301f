// The view's server as a browser meets it: the page at /, the state at /state.json as its producer last wrote
// it, nothing else (a 404 that says what is served), only GET, only on 127.0.0.1, and a port already taken
// refused with the fix.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { serveView, VIEW_HOST, ViewServerError } from "../../src/view/index.ts";

test("the page, the latest state, a 404 naming the routes, GET only", async (t) => {
  let state = '{"n":1}';
  const server = await serveView("<!doctype html><p>page</p>", () => state, 0);
  t.after(() => server.close());
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await fetch(server.url);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
  assert.match(page.headers.get("content-security-policy") ?? "", /connect-src 'self'/);
  assert.equal(await page.text(), "<!doctype html><p>page</p>");
  assert.deepEqual(await (await fetch(`${server.url}state.json`)).json(), { n: 1 });
  state = '{"n":2}';
  const later = await fetch(`${server.url}state.json?now`);
  assert.equal(later.headers.get("cache-control"), "no-store");
  assert.deepEqual(await later.json(), { n: 2 });
  const missing = await fetch(`${server.url}../etc/passwd`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /the view serves \/ and \/state\.json/);
  const posted = await fetch(server.url, { method: "POST", body: "x" });
  assert.equal(posted.status, 405);
});

test("a port already taken is refused with the fix; the server listens on 127.0.0.1 only", async (t) => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, VIEW_HOST, resolve));
  t.after(() => holder.close());
  const port = (holder.address() as { port: number }).port;
  await assert.rejects(
    serveView("", () => "null", port),
    (error: Error) =>
      error instanceof ViewServerError &&
      error.message === `port ${port} on 127.0.0.1 is taken: give --view-port another port, or 0 for a free one`,
  );
  const server = await serveView("", () => "null", 0);
  t.after(() => server.close());
  const bound = Number(new URL(server.url).port);
  // Not on the machine's other addresses: a connection to 0.0.0.0's other face, ::1, is refused.
  await assert.rejects(fetch(`http://[::1]:${bound}/`));
});
