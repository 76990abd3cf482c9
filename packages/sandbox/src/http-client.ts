import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * The sandbox's outgoing HTTP (ResultURL, ResultUrl2), on node:http with keep-alive agents rather than fetch: a
 * notification is a small form post, and this path is several times lighter, which matters when a test suite or
 * a load test pushes thousands of payments through one sandbox.
 */
export interface OutgoingRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: string | undefined;
  contentType?: string | undefined;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface IncomingAnswer {
  status: number;
  text: string;
}

/** Thrown when an attempt runs out of time (`name` is what the notifier records). */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

const MAX_BODY = 64 * 1024;

export class HttpClient {
  private readonly http = new HttpAgent({ keepAlive: true });
  private readonly https = new HttpsAgent({ keepAlive: true });

  send(outgoing: OutgoingRequest): Promise<IncomingAnswer> {
    return new Promise((resolve, reject) => {
      const url = new URL(outgoing.url);
      const secure = url.protocol === 'https:';
      const body = outgoing.body === undefined ? undefined : Buffer.from(outgoing.body, 'utf8');
      const headers: Record<string, string | number> = { 'user-agent': 'Kassa-Sandbox (Robokassa emulator)' };
      if (body) {
        headers['content-type'] = outgoing.contentType ?? 'application/x-www-form-urlencoded';
        headers['content-length'] = body.length;
      }
      const request = (secure ? httpsRequest : httpRequest)(url, {
        method: outgoing.method,
        headers,
        agent: secure ? this.https : this.http,
        signal: outgoing.signal,
      });
      const timer = setTimeout(
        () => request.destroy(new TimeoutError(`no answer within ${outgoing.timeoutMs} ms`)),
        outgoing.timeoutMs,
      );
      request.once('close', () => clearTimeout(timer));
      request.once('error', reject);
      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          // Only the start of an answer matters (`OK{InvId}`, or an excerpt for the record).
          if (size < MAX_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        response.once('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.once('error', reject);
      });
      request.end(body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
