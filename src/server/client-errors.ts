/**
 * Answers to requests that fail before Fastify routes them: a request that
 * did not arrive whole within `server.requestTimeout` (408), headers over
 * Node's size limit (431), and bytes that are not HTTP (400). They are written
 * straight to the socket, in the same `{ error, message, hint }` shape as every
 * other answer, and echo nothing the client sent.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { Problem } from "./problem.js";

export function answerClientError(
  error: Error & { code?: string },
  socket: Socket,
  requestTimeoutMs: number,
): void {
  // A reset connection has no one left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, problem] = clientProblem(error.code, requestTimeoutMs);
  if (socket.writable) {
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function clientProblem(code: string | undefined, requestTimeoutMs: number): [number, Problem] {
  switch (code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return [
        408,
        {
          error: "request_timeout",
          message: `The request did not arrive whole within ${requestTimeoutMs / 1000}s; the connection is closed.`,
          hint: "Send the whole request at once; for clients on slow networks, raise server.requestTimeout.",
        },
      ];
    case "HPE_HEADER_OVERFLOW":
      return [
        431,
        {
          error: "headers_too_large",
          message: "The request's URL and headers are larger than this server takes (16 KiB).",
          hint: "Send shorter headers; leads and their fields go in the JSON body.",
        },
      ];
    default:
      return [
        400,
        {
          error: "bad_request",
          message: "The request is not valid HTTP/1.1.",
          hint: "Use an HTTP client library, or check what your proxy forwards.",
        },
      ];
  }
}
