// The view's HTTP server: on 127.0.0.1 only (nothing of a run leaves the machine), two routes: the page, and
// `state.json`, the latest state as its producer last wrote it. No file is served from disk and nothing is
// fetched from elsewhere: the page carries its scripts (Chart.js, three.js, the view's own) inline.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const VIEW_HOST = "127.0.0.1";

export interface ViewServer {
  url: string;
  close(): Promise<void>;
}

export class ViewServerError extends Error {}

function answer(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    // The page inlines its scripts and fetches only its own state.
    "content-security-policy":
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
    "x-content-type-options": "nosniff",
  });
  response.end(body);
}

/** Serves `page` at / and `state()` (a JSON text) at /state.json on `port` (0: a free one). */
export function serveView(page: string, state: () => string, port: number): Promise<ViewServer> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") {
      answer(response, 405, "text/plain; charset=utf-8", "the view only answers GET\n");
    } else if (path === "/" || path === "/index.html") {
      answer(response, 200, "text/html; charset=utf-8", page);
    } else if (path === "/favicon.ico") {
      // Browsers ask for one; the view has none, and says so without a 404 in the reader's console.
      response.writeHead(204).end();
    } else if (path === "/state.json") {
      answer(response, 200, "application/json", state());
    } else {
      answer(response, 404, "text/plain; charset=utf-8", `no ${path} here: the view serves / and /state.json\n`);
    }
  });
  // A browser keeps its connection open; closing the server must not wait for it.
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new ViewServerError(
          error.code === "EADDRINUSE"
            ? `port ${port} on ${VIEW_HOST} is taken: give --view-port another port, or 0 for a free one`
            : `the view cannot listen on ${VIEW_HOST}:${port} (${error.message})`,
        ),
      );
    });
    server.listen(port, VIEW_HOST, () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://${VIEW_HOST}:${bound}/`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
